// The checker against the real `openssl ocsp` responder (index.txt written from our CA database, signed by the MO
// Sub-CA 2's delegated OCSP signer): good, revoked and unknown hash data.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContractRevocationChecker, type ContractRevocationCheckerHandle } from '../../../src/csms/revocation/contractRevocationChecker.js';
import { knownIssuersFromPkiDir } from '../../../src/csms/revocation/knownIssuers.js';
import { readCaDatabase, type CaDatabaseEntry } from '../../../src/pki/generator/caDatabase.js';
import { silentTracer } from '../../../src/trace/tracer.js';
import type { TraceEvent } from '../../../src/trace/traceEvent.js';
import { freePort, stopChild, waitForOutput } from '../../helpers/ocspTestbed.js';
import { pemOf, scratch, spawnOpenssl } from '../../helpers/openssl.js';
import { REVOKED_EMAID, startRevocationBench, type RevocationBench } from './revocationBench.js';

/** OpenSSL's index.txt line for a CA database entry (serials as BN_bn2hex prints them: upper case, whole bytes). */
function indexLine(e: CaDatabaseEntry): string {
  const t = (iso: string): string => {
    const d = new Date(iso);
    const p = (n: number): string => String(n).padStart(2, '0');
    return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  };
  const serial = (e.serialHex.length % 2 ? `0${e.serialHex}` : e.serialHex).toUpperCase();
  const revocation = e.status === 'revoked' ? `${t(e.revokedAt!)}${e.reason ? `,${e.reason}` : ''}` : '';
  return [e.status === 'revoked' ? 'R' : 'V', t(e.notAfter), revocation, serial, 'unknown', `/CN=${e.id}`].join('\t');
}

let bench: RevocationBench;
let files: ReturnType<typeof scratch>;
let child: ChildProcess;
let url: string;
let log = '';
let checker: ContractRevocationCheckerHandle;
const events: TraceEvent[] = [];

beforeAll(async () => {
  bench = await startRevocationBench();
  files = scratch('pnc-csms-openssl-');
  const caId = 'iso2/mo-sub2';
  const pki = bench.pki;
  const entries = readCaDatabase(pki.databasePath).entries.filter((e) => e.issuerId === caId);
  const index = files.file('index.txt', `${entries.map(indexLine).join('\n')}\n`);
  files.file('index.txt.attr', 'unique_subject = no\n');
  // openssl needs the signer key in the clear: exported into the test's scratch directory only.
  const rkey = files.file('signer.key.pem', pki.privateKey(`${caId}-ocsp`, bench.passphrase).export({ type: 'pkcs8', format: 'pem' }));
  const rsigner = files.file('signer.pem', pemOf([pki.der(`${caId}-ocsp`)]));
  const ca = files.file('ca.pem', pemOf([pki.der(caId)]));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    child = spawnOpenssl(['ocsp', '-index', index, '-port', String(port), '-rsigner', rsigner, '-rkey', rkey, '-CA', ca, '-nmin', '5', '-ignore_err']);
    log = '';
    child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    try {
      await waitForOutput(child, new RegExp(`ACCEPT .*:${port}\\b`), 10_000);
      url = `http://127.0.0.1:${port}/`;
      break;
    } catch (e) {
      await stopChild(child);
      if (attempt >= 2) throw new Error(`openssl ocsp did not start: ${(e as Error).message}\n${log}`);
    }
  }
  checker = createContractRevocationChecker({
    issuers: knownIssuersFromPkiDir(bench.dir),
    roots: bench.roots(),
    policy: { allowedOrigins: [new URL(url).origin], allowPrivateAddresses: true },
    timeoutMs: 5000,
    tracer: silentTracer('csms', [(e) => events.push(e)]),
  });
});

afterAll(async () => {
  checker?.close();
  if (child) await stopChild(child);
  files?.cleanup();
  await bench?.close();
});

const at = (id: string): ReturnType<RevocationBench['hashData']> => ({ ...bench.hashData(id), responderURL: url });

describe('openssl ocsp as the responder', () => {
  it('good contract → valid, answer signed by the delegated signer, nextUpdate honoured', async () => {
    const outcome = await checker.checkHashData([at(bench.contract('iso2'))], { session: 's1' });
    expect(outcome, `${JSON.stringify(outcome)}\nopenssl: ${log}`).toMatchObject({ kind: 'valid' });
    expect(outcome.checks[0]).toMatchObject({ status: 'good', responder: new URL(url).origin, fromCache: false });
    expect(events.some((e) => e.kind === 'check' && e.detail?.includes('signed by pnc-stack MO Sub-CA 2 OCSP'))).toBe(true);
    const again = await checker.checkHashData([at(bench.contract('iso2'))], { session: 's1' });
    expect(again.checks[0]!.fromCache).toBe(true);
  });

  it('revoked contract → revoked (keyCompromise)', async () => {
    const outcome = await checker.checkHashData([at(`iso2/contract/${REVOKED_EMAID}`)], {});
    expect(outcome.kind).toBe('revoked');
    expect(outcome.kind !== 'valid' && outcome.detail).toMatch(/keyCompromise/);
  });

  it('a serial not in index.txt → unknown → unverifiable', async () => {
    const outcome = await checker.checkHashData([{ ...at(bench.contract('iso2')), serialNumber: '42' }], {});
    expect(outcome.kind).toBe('unverifiable');
    expect(outcome.checks[0]!.status).toBe('unknown');
  });

  it('SHA512 hash data is answered too', async () => {
    const outcome = await checker.checkHashData([{ ...bench.hashData(bench.contract('iso2'), 'SHA512'), responderURL: url }], {});
    expect(outcome.kind).toBe('valid');
  });
});
