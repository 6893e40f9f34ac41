// Revocation: a contract revoked at the OCSP responder, and a CPO Sub-CA revoked above the charger's own certificate.
import type { Suite } from '../../pki/generator/testPki.js';
import { revokeInPki } from '../../pki/generator/pkiDirectory.js';
import type { Scenario } from '../scenario.js';
import { authorizeSummary, evOutcome, freshEmaid, mspAsked, transactionSummary } from '../sessionFacts.js';

export const REVOCATION: readonly Scenario[] = [
  {
    name: 'revoked-contract',
    description: 'the contract is revoked at the OCSP responder: the CSMS answers CertificateRevoked (C07.FR.16), the MSP is never asked, no charging',
    expected: 'FAILED_CertificateRevoked · Authorize CertificateRevoked/Invalid · MSP not asked · no transaction',
    async run(system) {
      const emaid = system.issueContract(freshEmaid());
      await system.addAccount(emaid);
      system.revokeContract(emaid);
      const before = await system.csms.ledger.list({ limit: 1000 });
      const run = await system.session({ emaid });
      const asked = mspAsked(run.events());
      return [evOutcome(run), authorizeSummary(system, run.from), asked === 0 ? 'MSP not asked' : `MSP asked ${asked}×`, transactionSummary(await system.newTransactions(before))].join(' · ');
    },
  },
  {
    name: 'revoked-cpo-subca',
    description:
      'the CPO Sub-CA 2 above the charger’s SECC certificates is revoked (key compromise): the responder reports the SECC leaves revoked (RFC 6960 §2.7), the charger staples that, and the -2 and -20 EVs refuse the charger at TLS',
    expected: 'stapled iso2 revoked, iso20-p521 revoked · -2 EV: tls ocsp-revoked · -20 EV: tls ocsp-revoked · no Authorize',
    isolation: 'own',
    // The CSMS relays GetCertificateStatus from its OCSP cache while fresh; this system asks the responder each time.
    systemOptions: { ocspCache: false },
    async run(system) {
      const suites: Suite[] = ['iso2', 'iso20-p521'];
      for (const suite of suites) revokeInPki(system.pkiDir, `${suite}/cpo-sub2`, { reason: 'keyCompromise' });
      system.emit({ kind: 'message', party: 'pki', from: 'pki', to: 'ocsp', message: 'revoke', detail: `${suites.map((s) => `${s}/cpo-sub2`).join(', ')} (keyCompromise)` });
      // The charger refreshes its stapling data now instead of at the next scheduled refresh.
      const stapled = await system.station.refreshOcsp();
      const from = system.events.length;
      const iso2 = await system.session({ suite: 'iso2' });
      const iso20 = await system.session({ suite: 'iso20-p521' });
      return [
        `stapled ${suites.map((s) => `${s} ${stapled.get(s) ?? 'nothing'}`).join(', ')}`,
        `-2 EV: ${evOutcome(iso2)}`,
        `-20 EV: ${evOutcome(iso20)}`,
        authorizeSummary(system, from),
      ].join(' · ');
    },
  },
];
