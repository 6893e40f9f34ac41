// The scenarios that exist so far: contract chains judged locally and checked at the OCSP responder, end to end.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePemCertificates } from '../pki/certificate/pem.js';
import { computeCheckDigit } from '../pki/emaid/emaid.js';
import { issueContractInPki, revokeInPki } from '../pki/generator/pkiDirectory.js';
import { SUITES, type Suite } from '../pki/generator/testPki.js';
import { OcspClient } from '../pki/ocsp/ocspClient.js';
import { createTrustStore } from '../pki/verdict/trustStore.js';
import { verifyWithOcsp } from '../pki/verdict/verifyWithOcsp.js';
import type { Tracer } from '../trace/tracer.js';
import type { TrustTestbed } from './trustTestbed.js';

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** The outcome the scenario must end in, e.g. "OK/Accepted" or "FAILED_CertificateRevoked/CertificateRevoked". */
  readonly expected: string;
  run(bench: TrustTestbed, tracer: Tracer, session: string): Promise<string>;
}

const emaidFor = (instance: string): string => `DEPNC${instance}${computeCheckDigit(`DEPNC${instance}`)}`;

/** Verifies the EV's contract chain for `emaid` in `suite` against the charger's roots, with OCSP; returns "code/status". */
async function verifyContract(bench: TrustTestbed, tracer: Tracer, session: string, suite: Suite, emaid: string): Promise<string> {
  const chain = decodePemCertificates(readFileSync(join(bench.dir, `ev/${suite}/keystore/contracts/${emaid}.chain.pem`), 'utf8'));
  const roots = ['v2g-root', 'mo-root'].map((r) => ({ der: decodePemCertificates(readFileSync(join(bench.dir, `charger/${suite}/truststore/${r}.pem`), 'utf8'))[0]!, source: r }));
  const protocol = SUITES[suite].protocol;
  tracer.emit({ kind: 'message', session, party: 'ev', from: 'ev', to: 'charger', message: 'ContractCertificateChain', detail: `${suite}, eMAID ${emaid}, ${chain.length} certificates` });
  const started = performance.now();
  const result = await verifyWithOcsp(
    { leaf: chain[0]!, subCAs: chain.slice(1), trustStore: createTrustStore(roots), protocol, role: 'contract', at: Date.now(), expectedEmaid: emaid },
    new OcspClient({ timeoutMs: 3000 }),
    {
      onLocalVerdict: (local) => {
        for (const c of local.checks) tracer.emit({ kind: 'check', session, party: 'charger', check: c.name, ok: c.ok, detail: c.detail });
      },
      onRequest: (cert) => tracer.emit({ kind: 'message', session, party: 'csms', from: 'csms', to: 'ocsp', message: 'OCSPRequest', detail: `serial ${cert.serialHex}` }),
      onLookup: (l) =>
        tracer.emit(
          l.result
            ? { kind: 'message', session, party: 'ocsp', from: 'ocsp', to: 'csms', message: `OCSPResponse ${l.result.status.status}`, detail: `serial ${l.certificate.serialHex}, signed by ${l.result.signedBy}`, ms: l.result.ms }
            : { kind: 'error', session, party: 'csms', error: `OCSP ${l.error?.code}`, detail: l.error?.message ?? '' },
        ),
    },
  );
  const v = result.verdict;
  const rev = v.checks.find((c) => c.name === 'revocation');
  if (rev) tracer.emit({ kind: 'check', session, party: 'csms', check: 'revocation', ok: rev.ok, detail: rev.detail });
  tracer.emit({ kind: 'verdict', session, party: 'charger', verdict: `${v.responseCode} / OCPP ${v.ocppCertificateStatus}`, ms: performance.now() - started });
  return `${v.responseCode}/${v.ocppCertificateStatus}`;
}

export const TRUST_SCENARIOS: readonly Scenario[] = [
  {
    name: 'trust-good-contract',
    description: 'the default contract of every suite (-2 P-256, -20 P-521, -20 Ed448) validates and OCSP says good',
    expected: 'OK/Accepted ×3',
    async run(bench, tracer, session) {
      const emaid = bench.pki.entries((e) => e.role === 'contract')[0]!.name.slice('contract/'.length);
      const outcomes: string[] = [];
      for (const suite of bench.pki.manifest.suites) outcomes.push(await verifyContract(bench, tracer, session, suite, emaid));
      return outcomes.every((o) => o === outcomes[0]) ? `${outcomes[0]} ×${outcomes.length}` : outcomes.join(', ');
    },
  },
  {
    name: 'trust-revoked-contract',
    description: 'a contract revoked with `pnc pki revoke` is reported revoked by the OCSP responder at once',
    expected: 'FAILED_CertificateRevoked/CertificateRevoked',
    async run(bench, tracer, session) {
      const emaid = emaidFor('C00000002');
      issueContractInPki(bench.dir, { emaid, protocol: 'iso2', passphrase: bench.passphrase });
      revokeInPki(bench.dir, `iso2/contract/${emaid}`, { reason: 'keyCompromise' });
      tracer.emit({ kind: 'message', session, party: 'pki', from: 'pki', to: 'ocsp', message: 'revoke', detail: `iso2/contract/${emaid} (keyCompromise)` });
      return verifyContract(bench, tracer, session, 'iso2', emaid);
    },
  },
  {
    name: 'trust-expired-contract',
    description: 'a contract whose validity ended yesterday is refused locally as expired',
    expected: 'WARNING_CertificateExpired/CertificateExpired',
    async run(bench, tracer, session) {
      const emaid = emaidFor('C00000003');
      const day = 86_400_000;
      issueContractInPki(bench.dir, { emaid, protocol: 'iso20', passphrase: bench.passphrase, notBefore: Date.now() - 400 * day, notAfter: Date.now() - day });
      return verifyContract(bench, tracer, session, 'iso20-ed448', emaid);
    },
  },
];
