// PnC accepted end to end, one per protocol and certificate suite: the EV's contract chain checked locally by the
// charger, its revocation at the OCSP responder by the CSMS, the account at the MSP over OCPI, charging, the CDR.
import type { Suite } from '../../pki/generator/testPki.js';
import type { Scenario } from '../scenario.js';
import { authorizeSummary, cdrDelivered, evOutcome } from '../sessionFacts.js';
import { ensureDefaultAccount } from './demoTokens.js';

function pncAccepted(name: string, description: string, suite: Suite, energy: 'ac' | 'dc'): Scenario {
  const tls = suite === 'iso2' ? 'TLSv1.2' : 'TLSv1.3';
  return {
    name,
    description,
    expected: `charged (${tls}) · Authorize Accepted/Accepted · CDR at MSP`,
    async run(system) {
      await ensureDefaultAccount(system);
      const run = await system.session({ suite, energy });
      const cdr = run.result.charged ? await cdrDelivered(system, run.from) : 'no CDR';
      return [evOutcome(run), authorizeSummary(system, run.from), cdr].join(' · ');
    },
  };
}

export const PNC_ACCEPTED: readonly Scenario[] = [
  pncAccepted('iso2-pnc-ac', '-2 PnC, AC: TLS 1.2 on P-256, contract chain checked by charger and CSMS, OCSP good, MSP ALLOWED, CDR', 'iso2', 'ac'),
  pncAccepted('iso2-pnc-dc', '-2 PnC, DC: CableCheck, PreCharge, CurrentDemand, WeldingDetection; the same checks', 'iso2', 'dc'),
  pncAccepted('iso20-pnc-p521', '-20 PnC with P-521 certificates over mutual TLS 1.3 (the vehicle certificate checked by the charger), AC', 'iso20-p521', 'ac'),
  pncAccepted('iso20-pnc-ed448', '-20 PnC with Ed448 certificates over mutual TLS 1.3, DC', 'iso20-ed448', 'dc'),
];
