// The TransactionEvent handler over the real ledger and authorization log (both dialects), with an in-test token
// authorizer that records its calls: the idToken answer, the offline re-check, the link to the Authorize before,
// copies answered without a second call, the traces — and once over a real ocpp-rpc connection in strict mode, with
// the events built by our charger's own TransactionEvent builder.
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { transactionEventRequest } from '../../../src/charger/transactions/transactionEventRequest.js';
import type { TokenAuthorizationResult, TokenAuthorizer } from '../../../src/csms/authorize/authorizeTypes.js';
import { createSqlAuthorizationLog } from '../../../src/csms/transactions/sqlAuthorizationLog.js';
import { transactionEventHandler } from '../../../src/csms/transactions/transactionEventHandler.js';
import { createTransactionLedger, type TransactionLedger } from '../../../src/csms/transactions/transactionLedger.js';
import type { AuthorizationLog } from '../../../src/csms/authorize/authorizeTypes.js';
import type { IdTokenType, TransactionEventRequest } from '../../../src/ocpp/generated/ocpp201.js';
import { ocppPeer, STRICT_OCPP201 } from '../../../src/ocpp/ocppPeer.js';
import { RPCClient, RPCError, RPCServer } from '../../../src/ocpp/ocppRpc.js';
import { openDatabase, type StoreDatabase } from '../../../src/store/index.js';
import type { TraceEvent } from '../../../src/trace/traceEvent.js';
import { silentTracer } from '../../../src/trace/tracer.js';
import { useDatabaseTargets } from '../../helpers/databaseTargets.js';
import { EMAID, EMAID_TOKEN, T0, te } from './eventSequences.js';

const targets = useDatabaseTargets();
let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

interface AuthorizerCall {
  readonly idToken: string;
  readonly type: string;
  readonly stationId: string;
  readonly evseId?: number;
  readonly offline?: boolean;
}

async function harness(url: string, answer: (idToken: IdTokenType) => TokenAuthorizationResult = () => ({ idTokenInfo: { status: 'Accepted' } })) {
  const store: StoreDatabase<unknown> = await openDatabase<unknown>(url);
  cleanups.push(() => store.close());
  let now = T0 + 60_000;
  const clock = () => new Date(now);
  const ledger: TransactionLedger = await createTransactionLedger(store, { clock });
  const log: AuthorizationLog = await createSqlAuthorizationLog(store);
  const calls: AuthorizerCall[] = [];
  const authorizer: TokenAuthorizer = {
    authorizeToken(idToken, location, context) {
      calls.push({ idToken: idToken.idToken, type: idToken.type, stationId: location.stationId, ...(location.evseId !== undefined ? { evseId: location.evseId } : {}), ...(context.offline !== undefined ? { offline: context.offline } : {}) });
      return Promise.resolve(answer(idToken));
    },
  };
  const traces: TraceEvent[] = [];
  let ended = 0;
  const handler = transactionEventHandler({ ledger, authorizer, authorizationLog: log, tracer: silentTracer('csms', [(e) => traces.push(e)]), clock, onEnded: () => void ended++ });
  return {
    ledger,
    log,
    calls,
    traces,
    handler,
    ended: () => ended,
    setNow: (ms: number) => void (now = ms),
    send: (request: TransactionEventRequest, stationId = 'CS-1') => handler(request, { stationId }),
  };
}

describe.each(targets)('TransactionEvent handler on $dialect', (target) => {
  it('online PnC: answered from the authorizer, linked to the Authorize before, copies answered without a second call', async (ctx) => {
    const h = await harness(await target.newUrl(ctx));
    await h.log.record({ stationId: 'CS-1', idToken: EMAID, tokenType: 'eMAID', status: 'Accepted', authorizationReference: 'REF-AUTHORIZE', at: new Date(T0 + 30_000).toISOString() });
    const started = te({ type: 'Started', seq: 0, min: 0, idToken: EMAID_TOKEN, meter: { value: 0 } });
    expect(await h.send(started)).toEqual({ idTokenInfo: { status: 'Accepted' } });
    expect(h.calls).toEqual([{ idToken: EMAID, type: 'eMAID', stationId: 'CS-1', evseId: 1, offline: false }]);
    // The answer was lost; the station sends the same event again.
    expect(await h.send(structuredClone(started))).toEqual({ idTokenInfo: { status: 'Accepted' } });
    expect(h.calls).toHaveLength(1);
    expect(h.traces.some((t) => t.kind === 'verdict' && t.verdict.startsWith('duplicate'))).toBe(true);

    expect(await h.send(te({ type: 'Updated', seq: 1, min: 10, meter: { value: 5000 } }))).toEqual({});
    expect(h.ended()).toBe(0);
    expect(await h.send(te({ type: 'Ended', seq: 2, min: 20, stoppedReason: 'EVDisconnected', meter: { value: 9000 } }))).toEqual({});
    expect(await h.send(te({ type: 'Ended', seq: 2, min: 20, stoppedReason: 'EVDisconnected', meter: { value: 9000 } }))).toEqual({});
    expect(h.ended()).toBe(1);
    expect(h.calls).toHaveLength(1);
    expect(await h.ledger.transaction('CS-1', 'TX-1')).toMatchObject({ state: 'ended', authorizationReference: 'REF-AUTHORIZE', idTokenStatus: 'Accepted', cdrState: 'pending', startedOffline: false });

    const message = h.traces.find((t) => t.kind === 'message' && t.from === 'charger');
    expect(message).toMatchObject({ party: 'csms', to: 'csms', message: 'TransactionEvent Started' });
    expect(h.traces.filter((t) => t.kind === 'message' && t.from === 'csms' && t.message === 'TransactionEventResponse')).toHaveLength(5);
    // Never a full eMAID in a trace.
    expect(JSON.stringify(h.traces)).not.toContain(EMAID);
    expect(JSON.stringify(h.traces)).toContain('DEPNC');
  });

  it("the authorizer's own reference wins over the log's", async (ctx) => {
    const h = await harness(await target.newUrl(ctx), () => ({ idTokenInfo: { status: 'Accepted' }, authorizationReference: 'REF-EMSP' }));
    await h.log.record({ stationId: 'CS-1', idToken: EMAID, tokenType: 'eMAID', status: 'Accepted', authorizationReference: 'REF-AUTHORIZE', at: new Date(T0).toISOString() });
    await h.send(te({ type: 'Started', seq: 0, min: 0, idToken: EMAID_TOKEN }));
    expect((await h.ledger.transaction('CS-1', 'TX-1'))?.authorizationReference).toBe('REF-EMSP');
  });

  it('an offline-started eMAID transaction is re-checked after the fact: Blocked comes back in idTokenInfo', async (ctx) => {
    const h = await harness(await target.newUrl(ctx), () => ({ idTokenInfo: { status: 'Blocked' } }));
    // An Accepted Authorize of the same token is in the log: a Blocked re-check must not link it.
    await h.log.record({ stationId: 'CS-1', idToken: EMAID, tokenType: 'eMAID', status: 'Accepted', authorizationReference: 'REF-OLD', at: new Date(T0 - 60_000).toISOString() });
    h.setNow(T0 + 3 * 3_600_000); // the station comes back online hours later
    const burst = [
      te({ type: 'Started', seq: 0, min: 0, offline: true, idToken: EMAID_TOKEN, meter: { value: 0 } }),
      te({ type: 'Updated', seq: 1, min: 15, offline: true, meter: { value: 2000 } }),
    ];
    const answers = [];
    for (const r of burst) answers.push(await h.send(r));
    expect(answers).toEqual([{ idTokenInfo: { status: 'Blocked' } }, {}]);
    expect(h.calls).toEqual([{ idToken: EMAID, type: 'eMAID', stationId: 'CS-1', evseId: 1, offline: true }]);
    // StopTxOnInvalidId: the station stops on the Blocked answer.
    await h.send(te({ type: 'Ended', seq: 2, min: 181, trigger: 'Deauthorized', stoppedReason: 'DeAuthorized', meter: { value: 2100 } }));
    expect(h.ended()).toBe(1);
    const tx = await h.ledger.transaction('CS-1', 'TX-1');
    expect(tx).toMatchObject({ startedOffline: true, idTokenStatus: 'Blocked', stoppedReason: 'DeAuthorized', cdrState: 'pending' });
    expect(tx?.authorizationReference).toBeUndefined();
    expect(h.traces.some((t) => t.kind === 'verdict' && t.verdict === 'Started recorded, idToken Blocked')).toBe(true);
  });

  it('links only an Authorize that came just before the event', async (ctx) => {
    const h = await harness(await target.newUrl(ctx));
    const cases: [string, number, boolean, string | undefined][] = [
      // Online: measured against our clock (T0 + 1 min); an Authorize from yesterday belongs to another session.
      ['DEPNCC00000001A', T0 - 86_400_000, false, undefined],
      // Offline: measured against the event's time (T0); an Authorize after it belongs to a later session.
      ['DEPNCC00000002B', T0 + 30 * 60_000, true, undefined],
      // Offline: an Authorize five minutes before the event is its own (the station lost the CSMS after it).
      ['DEPNCC00000003C', T0 - 5 * 60_000, true, 'REF-3'],
      ['DEPNCC00000004D', T0 + 30_000, false, 'REF-4'],
    ];
    for (const [i, [idToken, atMs, offline, expected]] of cases.entries()) {
      await h.log.record({ stationId: 'CS-1', idToken, tokenType: 'eMAID', status: 'Accepted', authorizationReference: `REF-${i + 1}`, at: new Date(atMs).toISOString() });
      await h.send(te({ type: 'Started', seq: 0, min: 0, tx: `TX-${i}`, offline, idToken: { idToken, type: 'eMAID' } }));
      expect((await h.ledger.transaction('CS-1', `TX-${i}`))?.authorizationReference, idToken).toBe(expected);
    }
  });

  it('a station that re-uses a seqNo for another request is answered as before and reported', async (ctx) => {
    const h = await harness(await target.newUrl(ctx));
    await h.send(te({ type: 'Started', seq: 0, min: 0, idToken: EMAID_TOKEN }));
    expect(await h.send(te({ type: 'Started', seq: 0, min: 5, idToken: { idToken: 'OTHER', type: 'ISO14443' } }))).toEqual({ idTokenInfo: { status: 'Accepted' } });
    expect(h.calls).toHaveLength(1);
    expect(h.traces.some((t) => t.kind === 'error' && t.error === 'TransactionEvent seqNo reused')).toBe(true);
  });
});

describe('TransactionEvent over a real OCPP 2.0.1 connection (ocpp-rpc, strict mode)', () => {
  async function serve(url: string) {
    const h = await harness(url, (t) => ({ idTokenInfo: { status: t.type === 'eMAID' ? 'Accepted' : 'Invalid' } }));
    const server = new RPCServer({ ...STRICT_OCPP201, protocols: [...STRICT_OCPP201.protocols] });
    server.auth((accept) => accept({}, 'ocpp2.0.1'));
    server.on('client', (client: RPCClient) => {
      ocppPeer(client).handle('TransactionEvent', (request) => h.handler(request, { stationId: client.identity ?? '' }));
    });
    const http = await server.listen(0, '127.0.0.1');
    cleanups.push(() => server.close({ force: true }));
    const endpoint = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const station = async (identity: string, strict = true) => {
      // The typings list every option as required; ocpp-rpc fills in defaults for the ones not given.
      const client = new RPCClient({ endpoint, identity, reconnect: false, protocols: ['ocpp2.0.1'], strictMode: strict } as ConstructorParameters<typeof RPCClient>[0]);
      await client.connect();
      cleanups.push(async () => void (await client.close({ force: true })));
      return client;
    };
    return { h, station };
  }

  it('our charger’s events: recorded once, the copy answered alike, hostile frames refused', async (ctx) => {
    const { h, station } = await serve(await targets[0]!.newUrl(ctx));
    const client = await station('CS-RPC');
    const peer = ocppPeer(client);
    const at = (min: number) => new Date(T0 + min * 60_000);
    const base = { transactionId: 'f6f8ad4c-5d1c-4a44-9a0e-2b0a3c1f0e11', evseId: 1, connectorId: 1, offline: false } as const;
    const started = transactionEventRequest({ ...base, eventType: 'Started', seqNo: 0, at: at(0), triggerReason: 'Authorized', idToken: EMAID_TOKEN, chargingState: 'Charging', energyWh: 120 });
    expect(await peer.call('TransactionEvent', started)).toEqual({ idTokenInfo: { status: 'Accepted' } });
    expect(await peer.call('TransactionEvent', started)).toEqual({ idTokenInfo: { status: 'Accepted' } });
    expect(await peer.call('TransactionEvent', transactionEventRequest({ ...base, eventType: 'Updated', seqNo: 1, at: at(5), triggerReason: 'MeterValuePeriodic', energyWh: 3120 }))).toEqual({});
    const ended = transactionEventRequest({ ...base, eventType: 'Ended', seqNo: 2, at: at(9), triggerReason: 'EVDeparted', stoppedReason: 'EVDisconnected', chargingState: 'Idle', energyWh: 5120 });
    expect(await peer.call('TransactionEvent', ended)).toEqual({});
    expect(h.calls).toHaveLength(1);
    expect(h.ended()).toBe(1);
    expect(await h.ledger.transaction('CS-RPC', base.transactionId)).toMatchObject({ state: 'ended', eventsCount: 3, meterStart: { wh: 120 }, meterEnd: { wh: 5120 }, cdrState: 'pending', stoppedReason: 'EVDisconnected' });

    // A station outside strict mode sends a frame the schema refuses: a CALLERROR, nothing recorded.
    const hostile = await station('CS-HOSTILE', false);
    const refused = await hostile.call('TransactionEvent', { ...started, seqNo: 'zero' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RPCError);
    // Schema-valid but out of the ledger's range: a CALLERROR with the typed error's text.
    const outOfRange = await hostile.call('TransactionEvent', { ...started, seqNo: 2 ** 40 }).catch((e: unknown) => e);
    expect(outOfRange).toBeInstanceOf(RPCError);
    expect((outOfRange as Error).message).toMatch(/seqNo/);
    expect(h.traces.some((t) => t.kind === 'error' && t.error === 'TransactionEvent not recorded')).toBe(true);
    expect(await h.ledger.list()).toHaveLength(1);
  });
});
