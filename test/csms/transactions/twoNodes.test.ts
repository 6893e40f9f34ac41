// Issue §3: two CSMS nodes sharing one PostgreSQL serve one fleet. A station loses each node's answer in turn (the
// node applied the event, then the connection dropped), reconnects to the other node and re-sends the same event,
// byte-identical, as at-least-once delivery does. The transaction completes once, its idToken is authorised once, and
// the two nodes' CDR dispatchers deliver one CDR. Real ocpp-rpc servers and a station client, strict mode.
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { transactionEventRequest } from '../../../src/charger/transactions/transactionEventRequest.js';
import type { TokenAuthorizer } from '../../../src/csms/authorize/authorizeTypes.js';
import { createCdrDispatcher, type CdrDispatcher } from '../../../src/csms/transactions/cdrDispatcher.js';
import type { CdrSink, CompletedTransaction } from '../../../src/csms/transactions/completedTransaction.js';
import { createSqlAuthorizationLog } from '../../../src/csms/transactions/sqlAuthorizationLog.js';
import { transactionEventHandler } from '../../../src/csms/transactions/transactionEventHandler.js';
import { createTransactionLedger, type TransactionLedger } from '../../../src/csms/transactions/transactionLedger.js';
import type { TransactionEventRequest } from '../../../src/ocpp/generated/ocpp201.js';
import { ocppPeer, STRICT_OCPP201 } from '../../../src/ocpp/ocppPeer.js';
import { RPCClient, RPCServer } from '../../../src/ocpp/ocppRpc.js';
import { openDatabase } from '../../../src/store/index.js';
import { silentTracer } from '../../../src/trace/tracer.js';
import { useDatabaseTargets } from '../../helpers/databaseTargets.js';
import { EMAID, EMAID_TOKEN, T0 } from './eventSequences.js';

const targets = useDatabaseTargets();
const postgres = targets.find((t) => t.dialect === 'postgres')!;
let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

interface Node {
  readonly endpoint: string;
  readonly ledger: TransactionLedger;
  readonly dispatcher: CdrDispatcher;
  /** seqNos this node applies and then drops the connection instead of answering. */
  readonly dropAfter: Set<number>;
}

describe('two CSMS nodes on one PostgreSQL', () => {
  it('a station reconnecting to the other node mid-transaction: the transaction completes once, with one CDR', async (ctx) => {
    const url = await postgres.newUrl(ctx);
    const authorized: string[] = [];
    const authorizer: TokenAuthorizer = {
      authorizeToken: (idToken) => {
        authorized.push(idToken.idToken);
        return Promise.resolve({ idTokenInfo: { status: 'Accepted' }, authorizationReference: 'REF-PNC' });
      },
    };
    const delivered: CompletedTransaction[] = [];
    const sink: CdrSink = {
      async deliver(tx) {
        delivered.push(tx);
        await new Promise((r) => setTimeout(r, 20));
        return { kind: 'sent', emsp: 'DE-PNC' };
      },
    };

    async function startNode(name: string): Promise<Node> {
      const store = await openDatabase<unknown>(url);
      cleanups.push(() => store.close());
      const tracer = silentTracer('csms');
      const ledger = await createTransactionLedger(store);
      const dispatcher = await createCdrDispatcher({ store, sink, nodeId: name, tracer });
      cleanups.push(() => dispatcher.stop());
      const handler = transactionEventHandler({ ledger, authorizer, authorizationLog: await createSqlAuthorizationLog(store), tracer, onEnded: () => dispatcher.kick() });
      const dropAfter = new Set<number>();
      const server = new RPCServer({ ...STRICT_OCPP201, protocols: [...STRICT_OCPP201.protocols] });
      server.auth((accept) => accept({}, 'ocpp2.0.1'));
      server.on('client', (client: RPCClient) => {
        ocppPeer(client).handle('TransactionEvent', async (request) => {
          const response = await handler(request, { stationId: client.identity ?? '' });
          if (dropAfter.delete(request.seqNo)) await client.close({ force: true });
          return response;
        });
      });
      const http = await server.listen(0, '127.0.0.1');
      cleanups.push(() => server.close({ force: true }));
      return { endpoint: `ws://127.0.0.1:${(http.address() as AddressInfo).port}`, ledger, dispatcher, dropAfter };
    }

    const [a, b] = [await startNode('node-a'), await startNode('node-b')];
    async function connect(node: Node) {
      const client = new RPCClient({ endpoint: node.endpoint, identity: 'CS-ROAM', reconnect: false, ...STRICT_OCPP201, protocols: [...STRICT_OCPP201.protocols] } as ConstructorParameters<typeof RPCClient>[0]);
      await client.connect();
      cleanups.push(async () => void (await client.close({ force: true })));
      return ocppPeer(client);
    }
    const base = { transactionId: '0b6f1c1e-2a53-4d5e-9a3e-7f61c2a4d001', evseId: 1, connectorId: 1, offline: false } as const;
    const at = (min: number) => new Date(T0 + min * 60_000);
    const events: TransactionEventRequest[] = [
      transactionEventRequest({ ...base, eventType: 'Started', seqNo: 0, at: at(0), triggerReason: 'Authorized', idToken: EMAID_TOKEN, chargingState: 'Charging', energyWh: 500 }),
      transactionEventRequest({ ...base, eventType: 'Updated', seqNo: 1, at: at(10), triggerReason: 'MeterValuePeriodic', energyWh: 4500 }),
      transactionEventRequest({ ...base, eventType: 'Ended', seqNo: 2, at: at(20), triggerReason: 'EVDeparted', stoppedReason: 'EVDisconnected', chargingState: 'Idle', energyWh: 8500 }),
    ];
    const [started, updated, ended] = events as [TransactionEventRequest, TransactionEventRequest, TransactionEventRequest];

    // Node A applies Started but the answer is lost with the connection.
    a.dropAfter.add(0);
    const toA = await connect(a);
    await expect(toA.call('TransactionEvent', started, { timeoutMs: 5000 })).rejects.toThrow();
    // The station reconnects to node B and re-sends it: answered as the first copy, not authorised again.
    const toB = await connect(b);
    expect(await toB.call('TransactionEvent', started)).toEqual({ idTokenInfo: { status: 'Accepted' } });
    expect(await toB.call('TransactionEvent', updated)).toEqual({});
    // Node B applies Ended (its CDR becomes due, B's dispatcher is kicked) and the answer is lost again.
    b.dropAfter.add(2);
    await expect(toB.call('TransactionEvent', ended, { timeoutMs: 5000 })).rejects.toThrow();
    const backToA = await connect(a);
    expect(await backToA.call('TransactionEvent', ended)).toEqual({});

    // Both nodes look for due CDRs at once as well.
    await Promise.all([a.dispatcher.settled(), b.dispatcher.settled(), a.dispatcher.runOnce(), b.dispatcher.runOnce()]);
    await Promise.all([a.dispatcher.settled(), b.dispatcher.settled()]);

    expect(authorized).toEqual([EMAID]);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({ transactionId: base.transactionId, stationId: 'CS-ROAM', energyWh: 8000, authorizationReference: 'REF-PNC', startedOffline: false });
    const [onA, onB] = [await a.ledger.list(), await b.ledger.list()];
    expect(onA).toEqual(onB);
    expect(onA).toHaveLength(1);
    expect(onA[0]).toMatchObject({ state: 'ended', eventsCount: 3, cdrState: 'sent', cdrAttempts: 1 });
    expect((await a.ledger.events('CS-ROAM', base.transactionId)).map((e) => e.seqNo)).toEqual([0, 1, 2]);
  });
});
