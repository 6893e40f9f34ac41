// The key a token's last known state is kept under: for an eMAID its country + provider + instance (so spellings
// with or without '-' and check digit meet), for anything else the uid upper-cased without '-'.
import { EmaidError, parseEmaid } from '../../pki/emaid/emaid.js';

export function roamingTokenKey(uid: string): string {
  try {
    const e = parseEmaid(uid, 'lenient');
    return `${e.country}${e.provider}${e.instance}`;
  } catch (e) {
    if (e instanceof EmaidError) return uid.replace(/-/g, '').toUpperCase();
    throw e;
  }
}
