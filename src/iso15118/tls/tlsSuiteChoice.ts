// Which of the SECC's TLS profiles answers a ClientHello. An EV that offers TLS 1.3 speaks -20 and gets a -20 leaf of a
// signature scheme it accepts; a TLS 1.2 EV gets the -2 profile. A client below TLS 1.2 is still handed to the -2
// profile so that OpenSSL refuses it with a protocol_version alert instead of a silently closed socket.
import { highestVersion, SIGNATURE_SCHEME, TLS_VERSION, type ClientHello } from './clientHello.js';
import type { TlsSuite } from './tlsProfile.js';

export interface SuiteChoice {
  readonly suite: TlsSuite | undefined;
  readonly reason: string;
}

const SCHEME_OF: Readonly<Record<Exclude<TlsSuite, 'iso2'>, number>> = {
  'iso20-p521': SIGNATURE_SCHEME.ecdsa_secp521r1_sha512,
  'iso20-ed448': SIGNATURE_SCHEME.ed448,
};

export const DEFAULT_ISO20_PREFERENCE: readonly TlsSuite[] = ['iso20-ed448', 'iso20-p521'];

export function chooseTlsSuite(hello: ClientHello, available: readonly TlsSuite[], iso20Preference: readonly TlsSuite[] = DEFAULT_ISO20_PREFERENCE): SuiteChoice {
  if (available.length === 0) return { suite: undefined, reason: 'no TLS credentials' };
  const version = highestVersion(hello);
  const hasIso2 = available.includes('iso2');
  const candidates: TlsSuite[] = [...iso20Preference, 'iso20-ed448', 'iso20-p521'];
  const iso20 = candidates.filter((s, i): s is 'iso20-p521' | 'iso20-ed448' => s !== 'iso2' && available.includes(s) && candidates.indexOf(s) === i);
  if (version >= TLS_VERSION.TLS1_3 && iso20.length > 0) {
    const accepted = iso20.find((s) => hello.signatureAlgorithms.includes(SCHEME_OF[s]));
    if (accepted) return { suite: accepted, reason: `TLS 1.3 offered, ${accepted} leaf accepted by the client` };
    if (hasIso2 && hello.supportedVersions.includes(TLS_VERSION.TLS1_2)) return { suite: 'iso2', reason: 'TLS 1.3 offered but no -20 signature scheme accepted; TLS 1.2 also offered' };
    return { suite: iso20[0], reason: 'TLS 1.3 offered but neither ecdsa_secp521r1_sha512 nor ed448 accepted' };
  }
  if (hasIso2) return { suite: 'iso2', reason: version >= TLS_VERSION.TLS1_2 ? 'TLS 1.2' : `TLS version 0x${version.toString(16)} (refused by the -2 profile)` };
  return { suite: iso20[0], reason: `TLS version 0x${version.toString(16)} without a -2 profile` };
}
