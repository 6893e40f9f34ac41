// Plug-in → AuthorizationRes Finished: our EV simulator against our SECC on loopback, from the SDP request to the
// Finished answer (TLS handshake, SAP, SessionSetup … PaymentDetails with the contract chain verdict, signed
// AuthorizationReq), with the standalone decision port. Then sessions/s with many EVs at once. Beside the latency:
// the session's own crypto work (key exchange, signatures, chain checks) timed with node:crypto in the same run —
// the floor no implementation on this machine gets under.
import { createPublicKey, diffieHellman, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { runEvSession, type EvSessionOptions } from '../ev/evSession.js';
import { discoverSecc } from '../iso15118/sdp/index.js';
import { connectToSecc } from '../iso15118/tls/evccConnect.js';
import { testEvse } from '../iso15118/session/evseModel.js';
import { startSeccServer } from '../iso15118/session/seccServer.js';
import { standaloneDecisionPort } from '../iso15118/session/standaloneDecisionPort.js';
import { encryptPrivateKey } from '../pki/generator/keys.js';
import { buildTestPki, DEFAULT_TEST_PKI, type IssuedCertificate, type Suite } from '../pki/generator/testPki.js';
import { createTrustStore } from '../pki/verdict/trustStore.js';
import { silentTracer } from '../trace/tracer.js';
import { median } from './rate.js';

export interface SessionBenchOptions {
  readonly suites: readonly Suite[];
  /** Sequential sessions for the latency percentiles (≥ 200 asked by the issue). */
  readonly sessions: number;
  readonly concurrency: number;
  /** Duration of the concurrent run. */
  readonly seconds: number;
  readonly log: (line: string) => void;
}

export interface SessionBenchRow {
  readonly suite: Suite;
  readonly sessions: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  /** The session's crypto operations, timed alone in this run. */
  readonly cryptoFloorMs: number;
  readonly cryptoDetail: string;
  readonly keyExchange: string;
  readonly concurrency: number;
  readonly sessionsPerSecond: number;
  readonly failures: number;
}

const PASSPHRASE = 'bench';

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Mean ms of `f` over `n` runs (after a warm-up). */
function timeOp(f: () => void, n = 200): number {
  for (let i = 0; i < 20; i++) f();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f();
  return (performance.now() - t0) / n;
}

interface CryptoCounts {
  readonly signs: number;
  readonly verifies: number;
}

/** Signature operations of one plug-in → Finished, per protocol (see the README for the list). */
function cryptoCounts(suite: Suite): CryptoCounts {
  // -2: ServerKeyExchange sign + AuthorizationReq sign; verifies: ServerKeyExchange, SECC chain (3), contract chain
  // (3), AuthorizationReq. -20 adds mutual TLS: both CertificateVerify signs, the vehicle chain (3) and its
  // CertificateVerify.
  return suite === 'iso2' ? { signs: 2, verifies: 8 } : { signs: 3, verifies: 12 };
}

function cryptoFloor(suite: Suite, key: IssuedCertificate, group: string): { ms: number; detail: string } {
  const priv = key.key.privateKey;
  const pub = createPublicKey(priv);
  const digest = key.cert.publicKeyType === 'Ed448' ? null : key.cert.publicKeyType === 'P-521' ? 'sha512' : 'sha256';
  const data = Buffer.alloc(64, 7);
  const signature = sign(digest, data, priv);
  const signMs = timeOp(() => sign(digest, data, priv));
  const verifyMs = timeOp(() => verify(digest, data, pub, signature));
  const ecdh = ecdhOp(group);
  const ecdhMs = timeOp(ecdh.generate, 100) * 2 + timeOp(ecdh.derive, 100) * 2;
  const c = cryptoCounts(suite);
  const ms = c.signs * signMs + c.verifies * verifyMs + ecdhMs;
  return { ms, detail: `${c.signs}×sign ${signMs.toFixed(3)} + ${c.verifies}×verify ${verifyMs.toFixed(3)} + ${group} keygen+derive ×2 ${ecdhMs.toFixed(3)} ms` };
}

function ecdhOp(group: string): { generate: () => void; derive: () => void } {
  const make = (): { privateKey: KeyObject; publicKey: KeyObject } => (group === 'X448' ? generateKeyPairSync('x448') : generateKeyPairSync('ec', { namedCurve: group === 'P-521' ? 'P-521' : 'P-256' }));
  const a = make();
  const b = make();
  return { generate: () => void make(), derive: () => void diffieHellman({ privateKey: a.privateKey, publicKey: b.publicKey }) };
}

export async function sessionBench(o: SessionBenchOptions): Promise<SessionBenchRow[]> {
  const now = Date.now();
  const pki = new Map(buildTestPki({ suites: [...new Set(o.suites)], now, ...DEFAULT_TEST_PKI }).map((c) => [c.id, c]));
  const get = (id: string): IssuedCertificate => pki.get(id)!;
  const rows: SessionBenchRow[] = [];
  for (const suite of o.suites) {
    const protocol = suite === 'iso2' ? 'iso2' : 'iso20';
    const contract = [...pki.values()].find((c) => c.suite === suite && c.role === 'contract')!;
    const server = await startSeccServer({
      host: '127.0.0.1',
      credentials: [{ suite, keyPem: encryptPrivateKey(get(`${suite}/secc`).key.privateKey, PASSPHRASE), passphrase: PASSPHRASE, chain: ['secc', 'cpo-sub2', 'cpo-sub1'].map((n) => get(`${suite}/${n}`).der) }],
      contractTrust: createTrustStore(['v2g-root', 'mo-root'].map((n) => ({ der: get(`${suite}/${n}`).der }))),
      ...(protocol === 'iso20' ? { vehicleTrust: createTrustStore([{ der: get(`${suite}/oem-root`).der }]) } : {}),
      protocols: protocol === 'iso2' ? ['iso2'] : ['iso20-ac', 'iso20-dc'],
      decisionPort: standaloneDecisionPort(),
      evse: testEvse(),
      tracer: silentTracer('charger'),
      sdp: { bindAddress: '127.0.0.1', port: 0, announce: '127.0.0.1' },
    });
    const options: EvSessionOptions = {
      secc: { sdp: { host: '127.0.0.1', port: server.sdpPort! } },
      protocol: protocol,
      security: 'tls',
      auth: 'pnc',
      energy: 'ac',
      contract: { chain: ['contract', 'mo-sub2', 'mo-sub1'].map((n) => (n === 'contract' ? contract.der : get(`${suite}/${n}`).der)), key: contract.key.privateKey, emaid: contract.cert.subject.commonName! },
      ...(protocol === 'iso20' ? { vehicle: { keyPem: encryptPrivateKey(get(`${suite}/vehicle`).key.privateKey, PASSPHRASE), passphrase: PASSPHRASE, chain: ['vehicle', 'vehicle-sub2', 'vehicle-sub1'].map((n) => get(`${suite}/${n}`).der) } } : {}),
      seccTrust: createTrustStore([{ der: get(`${suite}/v2g-root`).der }]),
      tracer: silentTracer('ev'),
      chargeLoops: 1,
    };
    try {
      let failures = 0;
      let lastError = '';
      const once = async (): Promise<number | undefined> => {
        let r;
        try {
          r = await runEvSession(options);
        } catch (e) {
          // Counted, not fatal: one EV's failure must not end a 50-EV run.
          failures++;
          lastError = e instanceof Error ? e.message : String(e);
          return undefined;
        }
        if (r.outcome !== 'OK' || r.plugInToAuthorizedMs === undefined) {
          failures++;
          return undefined;
        }
        return r.plugInToAuthorizedMs;
      };
      for (let i = 0; i < 20; i++) await once();
      failures = 0;
      const latencies: number[] = [];
      for (let i = 0; i < o.sessions; i++) {
        const ms = await once();
        if (ms !== undefined) latencies.push(ms);
      }
      const group = await keyExchangeGroup(options);
      const floor = cryptoFloor(suite, get(`${suite}/secc`), group);
      // Many EVs at once: full sessions to SessionStop, counted over the time slice.
      let done = 0;
      const end = performance.now() + o.seconds * 1000;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: o.concurrency }, async () => {
          while (performance.now() < end) if ((await once()) !== undefined) done++;
        }),
      );
      const sessionsPerSecond = (done * 1000) / (performance.now() - started);
      if (latencies.length === 0) throw new Error(`every ${suite} session failed${lastError ? ` (last: ${lastError})` : ''}`);
      const row: SessionBenchRow = {
        suite,
        sessions: latencies.length,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        meanMs: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
        cryptoFloorMs: floor.ms,
        cryptoDetail: floor.detail,
        keyExchange: group,
        concurrency: o.concurrency,
        sessionsPerSecond,
        failures,
      };
      rows.push(row);
      o.log(
        `${suite.padEnd(12)} plug-in → Finished p50 ${row.p50Ms.toFixed(1)} ms  p99 ${row.p99Ms.toFixed(1)} ms  (median of ${row.sessions}: ${median(latencies).toFixed(1)})  ` +
          `crypto floor ${row.cryptoFloorMs.toFixed(1)} ms  |  ${o.concurrency} EVs at once: ${sessionsPerSecond.toFixed(0)} sessions/s${failures ? `  (${failures} failed)` : ''}`,
      );
      o.log(`${' '.repeat(12)} floor = ${floor.detail}`);
    } finally {
      await server.close();
    }
  }
  return rows;
}

/** The TLS key-exchange group the EV and the SECC agree on, asked of a real handshake. */
async function keyExchangeGroup(o: EvSessionOptions): Promise<string> {
  const sdp = 'sdp' in o.secc && 'host' in o.secc.sdp ? o.secc.sdp : undefined;
  const found = await discoverSecc({ host: sdp!.host, port: sdp!.port });
  const c = await connectToSecc({ host: found.response.address.replace(/^::ffff:/, ''), port: found.response.port, security: o.protocol === 'iso2' ? 'iso2' : 'iso20', ...(o.seccTrust ? { seccTrust: o.seccTrust } : {}), ...(o.vehicle ? { vehicle: o.vehicle } : {}) });
  c.socket.destroy();
  if (!c.secure) return 'none';
  return ({ prime256v1: 'P-256', secp521r1: 'P-521', X448: 'X448' } as Record<string, string>)[c.keyExchange] ?? c.keyExchange;
}
