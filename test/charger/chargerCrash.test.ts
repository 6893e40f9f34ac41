// kill -9 of a real `pnc charger --csms` process in the middle of a transaction, then a restart on the same SQLite
// database: the TransactionEvents queued while the CSMS was away survive, are delivered in order after the restart,
// and the transaction left open ends with PowerLoss — the CSMS's ledger has every seqNo exactly once, none missing.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { openChargerStateStore } from '../../src/charger/store/sqlChargerStateStore.js';
import { runEvSession } from '../../src/ev/evSession.js';
import { evStore } from '../../src/pki/generator/partyStores.js';
import { createTrustStore } from '../../src/pki/verdict/trustStore.js';
import { silentTracer } from '../../src/trace/tracer.js';
import { scratch } from '../helpers/openssl.js';
import { startTestCsms, type TestCsms } from '../helpers/testCsms.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PASSPHRASE = 'charger-crash-test';
const PASSWORD = 'crash-test-password-0123';
const ID = 'CS-CRASH-1';
const dir = scratch('pnc-charger-crash-');
const PKI = join(dir.dir, 'pki');
const DB = join(dir.dir, 'charger.db');

let csms: TestCsms;

function startCharger(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin/pnc.js'), 'charger', '--pki', PKI, '--csms', csms.url, '--id', ID, '--db', `sqlite:${DB}`, '--host', '127.0.0.1', '--no-sdp', '--log-level', 'silent'],
    { cwd: ROOT, env: { ...process.env, PNC_PKI_PASSPHRASE: PASSPHRASE, PNC_CSMS_PASSWORD: PASSWORD }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /port (\d+):/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code, signal) => reject(new Error(`pnc charger exited (${code ?? signal}):\n${out}`)));
  });
}

beforeAll(async () => {
  const io: CliIo = { out: () => undefined, err: () => undefined, env: { PNC_PKI_PASSPHRASE: PASSPHRASE } };
  expect(await run(['pki', 'init', '--dir', PKI, '--protocol', 'iso2'], io)).toBe(0);
  csms = await startTestCsms({ security: { profile: 1, passwords: { [ID]: PASSWORD } } });
}, 60_000);

afterAll(async () => {
  await csms?.close();
  dir.cleanup();
});

describe('kill -9 mid-transaction', () => {
  it('queued events survive, are delivered in order after the restart, the open transaction ends with PowerLoss; nothing lost, nothing twice', async () => {
    const first = await startCharger();
    await csms.waitFor(ID, 'StatusNotification');
    // A meter update every second, so events pile up while the CSMS is away.
    await csms.call(ID, 'SetVariables', { setVariableData: [{ component: { name: 'SampledDataCtrlr' }, variable: { name: 'TxUpdatedInterval' }, attributeValue: '1' }] });
    const ev = evStore(PKI, 'iso2');
    const session = runEvSession({
      secc: { host: '127.0.0.1', port: first.port },
      protocol: 'iso2',
      security: 'tls',
      auth: 'pnc',
      energy: 'ac',
      contract: ev.contract(undefined, PASSPHRASE),
      seccTrust: createTrustStore(ev.v2gRoots),
      tracer: silentTracer('ev'),
      chargeLoops: 200,
      chargeLoopPauseMs: 100,
      ongoingPollMs: 20,
    });
    const started = await csms.waitFor(ID, 'TransactionEvent', (t) => t.eventType === 'Started');
    const transactionId = started.payload.transactionInfo.transactionId;
    await csms.waitFor(ID, 'TransactionEvent', (t) => t.eventType === 'Updated');
    // Let the CSMS's answer reach the charger (an event cut off in flight is sent again; chargingStation.test.ts covers that).
    await new Promise((r) => setTimeout(r, 300));
    // The CSMS goes away; the charger keeps charging and queues its meter updates; then it is killed.
    await csms.stop();
    await new Promise((r) => setTimeout(r, 3500));
    const exited = new Promise((r) => first.child.once('exit', r));
    first.child.kill('SIGKILL');
    await exited;
    const evResult = await session;
    expect(evResult.outcome).toMatch(/closed|timeout/);

    // What the killed process left in its queue (the database opened read-write by this test only while it is down).
    const store = await openChargerStateStore(`sqlite:${DB}`, { passphrase: PASSPHRASE });
    const left = await store.peekQueue(1000);
    await store.close();
    expect(left.length).toBeGreaterThanOrEqual(2);
    const queuedSeqNos = left.map((m) => (m.request as { seqNo: number }).seqNo);

    await csms.start();
    const second = await startCharger();
    try {
      const endedEvent = await csms.waitFor(ID, 'TransactionEvent', (t) => t.eventType === 'Ended' && t.transactionInfo.transactionId === transactionId, { timeoutMs: 20_000 });
      expect(endedEvent.payload.transactionInfo.stoppedReason).toBe('PowerLoss');
      const raw = csms.calls(ID, 'TransactionEvent').map((c) => c.payload).filter((t) => t.transactionInfo.transactionId === transactionId);
      const seqNos = raw.map((t) => t.seqNo);
      // Nothing twice: the CSMS was away when the process died, so no event was in flight.
      expect(new Set(seqNos).size).toBe(seqNos.length);
      // Nothing lost, in order: 0, 1, 2, … up to the Ended event.
      expect(seqNos).toEqual(seqNos.map((_, i) => i));
      // Everything queued before the kill arrived, flagged offline.
      for (const s of queuedSeqNos) expect(raw.find((t) => t.seqNo === s)?.offline).toBe(true);
      // A new process does not register twice per boot… but it is a new boot: one BootNotification per process.
      expect(csms.calls(ID, 'BootNotification')).toHaveLength(2);
    } finally {
      const gone = new Promise((r) => second.child.once('exit', r));
      second.child.kill('SIGTERM');
      await gone;
    }
    const after = await openChargerStateStore(`sqlite:${DB}`, { passphrase: PASSPHRASE });
    expect(await after.queueLength()).toBe(0);
    expect(await after.openTransactions()).toEqual([]);
    await after.close();
  }, 60_000);
});
