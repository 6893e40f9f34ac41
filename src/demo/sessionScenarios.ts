// Scenarios of whole ISO 15118 sessions: the EV simulator finds the charger by SDP, opens TLS and runs PnC to
// SessionStop against a real SECC on loopback. The charger decides with its local chain verdict (standalone decision
// port) until the OCPP link to the CSMS exists.
import type { Suite } from '../pki/generator/testPki.js';
import { chargerStore, evStore } from '../pki/generator/partyStores.js';
import { createTrustStore } from '../pki/verdict/trustStore.js';
import { runEvSession, type EvMisbehaviour, type EvSessionResult } from '../ev/evSession.js';
import { testEvse } from '../iso15118/session/evseModel.js';
import { startSeccServer } from '../iso15118/session/seccServer.js';
import { standaloneDecisionPort } from '../iso15118/session/standaloneDecisionPort.js';
import { silentTracer, type Tracer } from '../trace/tracer.js';
import type { Scenario } from './trustScenarios.js';
import type { TrustTestbed } from './trustTestbed.js';

interface SessionPlan {
  readonly suite: Suite;
  readonly energy: 'ac' | 'dc';
  readonly misbehave?: (first: EvSessionResult | undefined) => EvMisbehaviour;
  /** Run a good session first (what a replay replays). */
  readonly goodSessionFirst?: boolean;
}

async function runSession(bench: TrustTestbed, tracer: Tracer, scenario: string, plan: SessionPlan): Promise<string> {
  // The parties trace under the scenario's name, so that the demo shows one sequence per scenario. Each message is
  // shown once, as the EV saw it (requests sent, responses with their code); the charger contributes its checks.
  const relay = (party: 'ev' | 'charger'): Tracer =>
    silentTracer(party, [
      ({ time: _time, ...e }) => {
        if (party === 'charger' && e.kind === 'message') return;
        if (e.kind === 'check' && e.check.endsWith(' in time')) return;
        tracer.emit({ ...e, session: scenario });
      },
    ]);
  const suites = bench.pki.manifest.suites;
  const stores = suites.map((s) => chargerStore(bench.dir, s));
  const secc = await startSeccServer({
    host: '127.0.0.1',
    credentials: stores.map((s) => ({ suite: s.suite, keyPem: s.secc.keyPem, passphrase: bench.passphrase, chain: s.secc.chain })),
    contractTrust: createTrustStore(stores.flatMap((s) => s.contractRoots)),
    vehicleTrust: createTrustStore(stores.flatMap((s) => s.vehicleRoots)),
    protocols: ['iso2', 'iso20-ac', 'iso20-dc'],
    decisionPort: standaloneDecisionPort(),
    evse: testEvse(),
    tracer: relay('charger'),
    sdp: { bindAddress: '127.0.0.1', port: 0, announce: '127.0.0.1' },
  });
  try {
    const ev = evStore(bench.dir, plan.suite);
    const vehicle = ev.vehicle();
    const protocol = plan.suite === 'iso2' ? 'iso2' : 'iso20';
    const run = (misbehave?: EvMisbehaviour): Promise<EvSessionResult> =>
      runEvSession({
        secc: { sdp: { host: '127.0.0.1', port: secc.sdpPort! } },
        protocol,
        security: 'tls',
        auth: 'pnc',
        energy: plan.energy,
        contract: ev.contract(undefined, bench.passphrase),
        ...(vehicle && protocol === 'iso20' ? { vehicle: { keyPem: vehicle.keyPem, passphrase: bench.passphrase, chain: vehicle.chain } } : {}),
        seccTrust: createTrustStore(ev.v2gRoots),
        tracer: relay('ev'),
        chargeLoops: 2,
        ...(misbehave ? { misbehave } : {}),
      });
    const first = plan.goodSessionFirst ? await run() : undefined;
    const r = await run(plan.misbehave?.(first));
    return r.authorized && r.charged && r.outcome === 'OK' ? `charged (${r.tls?.version ?? 'plain TCP'})` : r.outcome;
  } finally {
    await secc.close();
  }
}

export const SESSION_SCENARIOS: readonly Scenario[] = [
  {
    name: 'iso2-pnc-ac',
    description: '-2 PnC, AC: SDP, TLS 1.2, contract chain, signed AuthorizationReq, signed metering receipt, SessionStop',
    expected: 'charged (TLSv1.2)',
    run: (bench, tracer, session) => runSession(bench, tracer, session, { suite: 'iso2', energy: 'ac' }),
  },
  {
    name: 'iso2-pnc-dc',
    description: '-2 PnC, DC: CableCheck, PreCharge, CurrentDemand, WeldingDetection',
    expected: 'charged (TLSv1.2)',
    run: (bench, tracer, session) => runSession(bench, tracer, session, { suite: 'iso2', energy: 'dc' }),
  },
  {
    name: 'iso20-pnc-p521',
    description: '-20 PnC with P-521 certificates over mutual TLS 1.3, AC',
    expected: 'charged (TLSv1.3)',
    run: (bench, tracer, session) => runSession(bench, tracer, session, { suite: 'iso20-p521', energy: 'ac' }),
  },
  {
    name: 'iso20-pnc-ed448',
    description: '-20 PnC with Ed448 certificates over mutual TLS 1.3, DC',
    expected: 'charged (TLSv1.3)',
    run: (bench, tracer, session) => runSession(bench, tracer, session, { suite: 'iso20-ed448', energy: 'dc' }),
  },
  {
    name: 'replayed-challenge',
    description: 'the EV replays the signed AuthorizationReq of an earlier session: its challenge is not this session’s',
    expected: 'FAILED_ChallengeInvalid',
    run: (bench, tracer, session) =>
      runSession(bench, tracer, session, {
        suite: 'iso2',
        energy: 'ac',
        goodSessionFirst: true,
        misbehave: (first) => (first?.signedAuthorization ? { replay: first.signedAuthorization } : {}),
      }),
  },
  {
    name: 'tampered-signature',
    description: 'the AuthorizationReq signature does not verify with the contract key',
    expected: 'FAILED_SignatureError',
    run: (bench, tracer, session) => runSession(bench, tracer, session, { suite: 'iso2', energy: 'ac', misbehave: () => ({ corruptSignature: true }) }),
  },
];
