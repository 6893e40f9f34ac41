// The PnC tokens of the load: every contract a PKI directory holds for one suite, as an EV hands it to the charger
// (ev/<suite>/keystore/contracts/<eMAID>.chain.pem: leaf, MO Sub-CA 2, MO Sub-CA 1), turned into the OCSP request data
// a station puts into AuthorizeRequest.iso15118CertificateHashData — one entry per non-root certificate, the last
// one's issuer being the MO root.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCertificate } from '../../pki/certificate/certificate.js';
import { decodePemCertificates } from '../../pki/certificate/pem.js';
import { PkiDirectory } from '../../pki/generator/pkiDirectory.js';
import type { Suite } from '../../pki/generator/testPki.js';
import { ocspRequestDataForPath } from '../../pki/ocsp/certId.js';
import type { LoadToken } from './loadConfig.js';

export class ContractTokenError extends Error {
  override readonly name = 'ContractTokenError';
}

const CHAIN = '.chain.pem';

/** Tokens for the contracts of `suite` in the PKI at `dir` (only `emaids` when given), in file-name order. */
export function contractTokensFromPki(dir: string, suite: Suite, emaids?: readonly string[]): LoadToken[] {
  const pki = PkiDirectory.open(dir);
  const anchor = pki.certificate(`${suite}/mo-root`);
  const folder = join(dir, 'ev', suite, 'keystore', 'contracts');
  if (!existsSync(folder)) throw new ContractTokenError(`${folder} holds no contract chains`);
  const wanted = emaids ? new Set(emaids) : undefined;
  const tokens: LoadToken[] = [];
  for (const file of readdirSync(folder).filter((f) => f.endsWith(CHAIN)).sort()) {
    const chain = decodePemCertificates(readFileSync(join(folder, file), 'utf8')).map((der) => parseCertificate(der));
    const leaf = chain[0];
    const emaid = leaf?.subject.commonName;
    if (!leaf || emaid === undefined) throw new ContractTokenError(`${file} holds no contract certificate with a CN`);
    if (wanted && !wanted.has(emaid)) continue;
    const { data, withoutUrl } = ocspRequestDataForPath(chain, anchor);
    if (withoutUrl.length > 0 || data.length === 0) throw new ContractTokenError(`${file}: ${withoutUrl.length} certificates carry no OCSP URL`);
    if (data.length > 4) throw new ContractTokenError(`${file}: ${data.length} OCSP entries, AuthorizeRequest takes at most 4`);
    tokens.push({ emaid, hashData: data });
  }
  if (wanted) {
    const found = new Set(tokens.map((t) => t.emaid));
    const missing = [...wanted].filter((e) => !found.has(e));
    if (missing.length) throw new ContractTokenError(`no ${suite} contract chain for ${missing.length} eMAIDs (first: ${missing[0]})`);
  }
  if (tokens.length === 0) throw new ContractTokenError(`no ${suite} contract chains in ${folder}`);
  return tokens;
}
