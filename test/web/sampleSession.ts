// A Plug & Charge session as the demo runner reports it (ISO 15118-2 PnC, AC, accepted), with the certificate chains
// of a real test PKI, for the dashboard tests that do not run the bench itself.
import { formatName } from '../../src/pki/certificate/name.js';
import { buildTestPki, DEFAULT_TEST_PKI, type IssuedCertificate } from '../../src/pki/generator/testPki.js';
import type { DemoStep } from '../../src/demo/scenarioResult.js';
import type { TracedCertificate } from '../../src/trace/traceEvent.js';
import { NOW } from '../helpers/fixtures.js';

let pki: Map<string, IssuedCertificate> | undefined;

function issued(id: string): IssuedCertificate {
  pki ??= new Map(buildTestPki({ suites: ['iso2'], now: NOW, ...DEFAULT_TEST_PKI }).map((c) => [c.id, c]));
  const c = pki.get(id);
  if (!c) throw new Error(`the test PKI has no ${id}`);
  return c;
}

export function traced(c: IssuedCertificate): TracedCertificate {
  return {
    subject: formatName(c.cert.subject),
    issuer: formatName(c.cert.issuer),
    notBefore: new Date(c.cert.notBefore).toISOString(),
    notAfter: new Date(c.cert.notAfter).toISOString(),
    bytes: c.der.length,
    serialHex: c.cert.serialHex,
  };
}

/** A chain as a trace carries it: leaf first, up to (not including) the self-signed root. */
export function tracedChain(leafId: string): TracedCertificate[] {
  const chain: TracedCertificate[] = [];
  let c = issued(leafId);
  while (c.issuerId !== c.id) {
    chain.push(traced(c));
    c = issued(c.issuerId);
  }
  return chain;
}

export const CONTRACT_ID = `iso2/contract/${DEFAULT_TEST_PKI.emaid}`;

/** Steps of an accepted PnC session; one check fails on the way (the charger has no cached authorisation). */
export function acceptedPncSteps(): DemoStep[] {
  const contract = tracedChain(CONTRACT_ID);
  const secc = tracedChain('iso2/secc');
  return [
    { kind: 'message', party: 'charger', from: 'ev', to: 'charger', message: 'SessionSetupReq', detail: 'EVCCID 0A1B2C3D4E5F', t: 3 },
    { kind: 'message', party: 'ev', from: 'charger', to: 'ev', message: 'SessionSetupRes', detail: 'OK_NewSessionEstablished', ms: 2.1, t: 5 },
    { kind: 'check', party: 'ev', check: 'SECC certificate chain', ok: true, detail: 'trusted by V2G root, OCSP stapled: good', ms: 0.9, certificates: secc, t: 6 },
    { kind: 'message', party: 'charger', from: 'ev', to: 'charger', message: 'PaymentDetailsReq', detail: `eMAID ${DEFAULT_TEST_PKI.emaid}`, certificates: contract, t: 9 },
    { kind: 'check', party: 'charger', check: 'contract certificate chain', ok: true, detail: 'leaf + 2 sub-CAs to an installed MO root', ms: 0.8, certificates: contract, t: 10 },
    { kind: 'check', party: 'charger', check: 'local authorization cache', ok: false, detail: 'no entry for this eMAID; asking the CSMS', ms: 0.1, t: 10 },
    { kind: 'message', party: 'charger', from: 'charger', to: 'ev', message: 'PaymentDetailsRes', detail: 'GenChallenge 16 bytes', ms: 1.3, t: 11 },
    { kind: 'message', party: 'charger', from: 'ev', to: 'charger', message: 'AuthorizationReq', detail: 'signed challenge (ECDSA P-256)', t: 14 },
    { kind: 'check', party: 'charger', check: 'challenge signature', ok: true, ms: 1.4, t: 15 },
    { kind: 'message', party: 'csms', from: 'charger', to: 'csms', message: 'AuthorizeRequest', detail: 'idToken eMAID, 3 × iso15118CertificateHashData', t: 16 },
    { kind: 'message', party: 'csms', from: 'csms', to: 'ocsp', message: 'OCSPRequest', detail: `serial ${contract[0]?.serialHex ?? ''}`, t: 17 },
    { kind: 'message', party: 'ocsp', from: 'ocsp', to: 'csms', message: 'OCSPResponse good', detail: 'signed by the MO Sub-CA 2 OCSP signer', ms: 3.2, t: 21 },
    { kind: 'check', party: 'csms', check: 'contract OCSP status', ok: true, detail: 'good, thisUpdate 2 s ago', ms: 0.2, t: 21 },
    { kind: 'message', party: 'csms', from: 'csms', to: 'msp', message: 'POST /tokens/{uid}/authorize', detail: 'OCPI 2.2.1, type EMAID', t: 22 },
    { kind: 'message', party: 'csms', from: 'msp', to: 'csms', message: 'AuthorizationInfo ALLOWED', detail: 'authorization_reference A-17', ms: 4.6, t: 27 },
    { kind: 'message', party: 'charger', from: 'csms', to: 'charger', message: 'AuthorizeResponse', detail: 'Accepted, certificateStatus Accepted', ms: 11.8, t: 28 },
    { kind: 'message', party: 'ev', from: 'charger', to: 'ev', message: 'AuthorizationRes', detail: 'EVSEProcessing Finished', ms: 14.9, t: 29 },
    { kind: 'verdict', party: 'charger', verdict: 'Accepted', detail: 'PnC authorised, charging may start', ms: 26.0, t: 30 },
  ];
}
