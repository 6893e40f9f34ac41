// Real EV ↔ SECC sessions on loopback (TLS 1.2 for -2, mutual TLS 1.3 for -20): the trace events that carry
// certificate chains — the EV's TLS check (the SECC chain it received), the EV's message with its contract chain, the
// charger's contract chain check and its check of the -20 vehicle chain — carry them with the DER sizes that went over
// the wire, and never the full eMAID.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskEmaid } from '../../src/pki/emaid/maskEmaid.js';
import { runEvSession, type EvSessionOptions, type EvSessionResult } from '../../src/ev/evSession.js';
import type { SeccServer } from '../../src/iso15118/session/seccServer.js';
import type { TracedCertificate, TraceEvent } from '../../src/trace/traceEvent.js';
import { silentTracer } from '../../src/trace/tracer.js';
import { NOW } from '../helpers/fixtures.js';
import { contractCredential, seccTestbed } from '../helpers/seccTestbed.js';
import { evTrust, seccCredential, trustOf, vehicleCredential, vehicleTrust } from '../helpers/tlsTestbed.js';

type Event = TraceEvent & { time: number };

const bed = seccTestbed({
  protocols: ['iso2', 'iso20-ac'],
  credentials: [seccCredential('iso2'), seccCredential('iso20-p521')],
  vehicleTrust: vehicleTrust(),
  contractTrust: trustOf(['iso2/v2g-root', 'iso2/mo-root', 'iso20-p521/v2g-root', 'iso20-p521/mo-root']),
});

let secc: SeccServer;
beforeAll(async () => {
  secc = await bed.secc();
});
afterAll(async () => {
  await bed.closeAll();
});

async function session(protocol: 'iso2' | 'iso20', o: Partial<EvSessionOptions> = {}): Promise<{ r: EvSessionResult; ev: Event[]; charger: Event[] }> {
  const ev: Event[] = [];
  const from = bed.events.length;
  const suite = protocol === 'iso2' ? 'iso2' : 'iso20-p521';
  const r = await runEvSession({
    secc: { host: '127.0.0.1', port: secc.port },
    protocol,
    security: 'tls',
    auth: 'pnc',
    energy: 'ac',
    contract: contractCredential(suite),
    seccTrust: evTrust(suite),
    ...(protocol === 'iso20' ? { vehicle: vehicleCredential(suite), tlsOverrides: { sigalgs: 'ecdsa_secp521r1_sha512' } } : {}),
    tracer: silentTracer('ev', [(e) => ev.push(e)]),
    clock: () => NOW,
    ongoingPollMs: 50,
    chargeLoops: 1,
    ...o,
  });
  // The SECC traces the session's end after the EV has its answer.
  for (let i = 0; i < 200 && !bed.events.slice(from).some((e) => e.kind === 'verdict' && e.verdict === 'session ended'); i++) await new Promise((res) => setTimeout(res, 10));
  return { r, ev, charger: bed.events.slice(from) };
}

const chainOf = (e: Event | undefined): readonly TracedCertificate[] | undefined => (e && e.kind !== 'verdict' && e.kind !== 'error' ? e.certificates : undefined);
const check = (events: Event[], name: string): Event | undefined => events.find((e) => e.kind === 'check' && e.check === name);
const sent = (events: Event[], message: string): Event[] => events.filter((e) => e.kind === 'message' && e.from === 'ev' && e.message === message);

/** The traced chain is the chain sent: same sizes and serials in the same order; the eMAID of the leaf masked. */
function expectContractChain(traced: readonly TracedCertificate[] | undefined, suite: 'iso2' | 'iso20-p521'): void {
  const c = contractCredential(suite);
  expect(traced?.map((t) => t.bytes)).toEqual(c.chain.map((d) => d.length));
  expect(traced?.[0]?.subject).toContain(`CN=${maskEmaid(c.emaid)}`);
  expect(JSON.stringify(traced)).not.toContain(c.emaid);
  expect(traced?.[1]?.subject).toContain('CN=pnc-stack MO Sub-CA 2');
}

describe('certificate chains in the trace of real sessions', () => {
  it('-2 over TLS 1.2: the EV\'s TLS check, its PaymentDetailsReq and the charger\'s contract chain check', async () => {
    const { r, ev, charger } = await session('iso2');
    expect(r.outcome).toBe('OK');
    const tls = check(ev, 'TLS');
    expect(tls?.kind === 'check' && tls.ok).toBe(true);
    expect(chainOf(tls)?.map((t) => t.bytes)).toEqual(seccCredential('iso2').chain.map((d) => d.length));
    expect(chainOf(tls)?.[0]?.subject).toBe('C=DE, O=pnc-stack CPO, CN=DE*PNC*E00001*1, DC=CPO');

    const details = sent(ev, 'PaymentDetailsReq');
    expect(details).toHaveLength(1);
    expectContractChain(chainOf(details[0]), 'iso2');
    // Only the message that carries the chain has one.
    expect(ev.filter((e) => e.kind === 'message' && e.certificates !== undefined)).toHaveLength(1);

    const verdict = check(charger, 'contract chain');
    expect(verdict?.kind === 'check' && verdict.ok).toBe(true);
    expectContractChain(chainOf(verdict), 'iso2');
    // -2 has no vehicle certificate: the charger's TLS check carries no chain.
    expect(chainOf(check(charger, 'TLS'))).toBeUndefined();
  });

  it('-20 over mutual TLS 1.3: the SECC chain, the AuthorizationReq\'s contract chain, the vehicle chain at the charger', async () => {
    const { r, ev, charger } = await session('iso20');
    expect(r.outcome).toBe('OK');
    expect(chainOf(check(ev, 'TLS'))?.map((t) => t.bytes)).toEqual(seccCredential('iso20-p521').chain.map((d) => d.length));

    const authorization = sent(ev, 'AuthorizationReq');
    expect(authorization.length).toBeGreaterThanOrEqual(1);
    for (const a of authorization) expectContractChain(chainOf(a), 'iso20-p521');

    const vehicle = chainOf(check(charger, 'TLS'));
    const v = vehicleCredential('iso20-p521');
    expect(vehicle?.map((t) => t.bytes)).toEqual(v.chain.map((d) => d.length));
    expect(vehicle?.[0]?.subject).toBe('C=DE, O=pnc-stack OEM, CN=PNCVIN00000000001, DC=OEM');
    expectContractChain(chainOf(check(charger, 'contract chain')), 'iso20-p521');
  });

  it('a SECC chain the EV refuses is traced with the failed TLS check', async () => {
    // The EV holds only the MO root: the SECC chain leads to no anchor it has.
    const { r, ev } = await session('iso2', { seccTrust: trustOf(['iso2/mo-root']) });
    expect(r.outcome).toMatch(/^tls secc-certificate/);
    const tls = check(ev, 'TLS');
    expect(tls?.kind === 'check' && tls.ok).toBe(false);
    expect(chainOf(tls)?.map((t) => t.bytes)).toEqual(seccCredential('iso2').chain.map((d) => d.length));
    expect(sent(ev, 'PaymentDetailsReq')).toHaveLength(0);
  });
});
