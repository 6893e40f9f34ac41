// The pure parts of the CSMS load benchmark, as tables: the latency histogram and its percentiles, OCPP-J frame
// parsing and answer verdicts, the generator's config check, the result table and its ratios against the targets,
// /proc parsing, ready lines, and the command-line options.
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { csmsLoadOptions, registerCsmsLoadBench } from '../../src/bench/csmsLoad/benchCommand.js';
import { CSMS_LOAD_TARGETS, failedRow, formatTable, formatVerdicts, ratio, rowVerdict, type CsmsLoadRow } from '../../src/bench/csmsLoad/csmsLoadTable.js';
import { bucketIndex, bucketRange, HISTOGRAM_MAX_US, LatencyHistogram } from '../../src/bench/csmsLoad/latencyHistogram.js';
import { LoadConfigError, parseLoadGeneratorConfig, stationIdentity } from '../../src/bench/csmsLoad/loadConfig.js';
import { answerCsmsCall, authorizeVerdict, callFrame, parseIncomingFrame, transactionVerdict } from '../../src/bench/csmsLoad/ocppLoadMessages.js';
import { parseProcStatTicks, parseProcStatus, ProcStatsError } from '../../src/bench/csmsLoad/procStats.js';
import { BenchProcessError, parsePeerToken, parseReadyLine } from '../../src/bench/csmsLoad/processes.js';
import { UsageError } from '../../src/cli/io.js';
import { prng } from '../helpers/prng.js';

/** Exact nearest-rank percentile of a list, for comparison. */
function exact(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil((p / 100) * s.length)) - 1]!;
}

describe('latency histogram', () => {
  it('puts every value in a bucket whose range holds it, with indices rising with the value', () => {
    let last = -1;
    for (const v of [0, 1, 2, 127, 255, 256, 257, 383, 384, 511, 512, 1000, 4095, 4096, 65_535, 1e6, 123_456_789, HISTOGRAM_MAX_US]) {
      const i = bucketIndex(v);
      const r = bucketRange(i);
      expect(r.low).toBeLessThanOrEqual(v);
      expect(r.high).toBeGreaterThanOrEqual(v);
      // The bucket is never wider than 1/128 of its values.
      expect((r.high - r.low) / Math.max(1, r.low)).toBeLessThan(1 / 128);
      expect(i).toBeGreaterThanOrEqual(last);
      last = i;
    }
    // Consecutive buckets tile the range with no gap.
    for (let i = 0; i < 3199; i++) expect(bucketRange(i + 1).low).toBe(bucketRange(i).high + 1);
    expect(bucketIndex(-5)).toBe(0);
    expect(bucketIndex(HISTOGRAM_MAX_US * 4)).toBe(bucketIndex(HISTOGRAM_MAX_US));
  });

  it.each([
    { name: '1…100 µs', values: Array.from({ length: 100 }, (_, i) => i + 1), p: [[50, 0.05], [99, 0.099], [100, 0.1], [0, 0.001]] },
    { name: 'one sample', values: [42_000], p: [[50, 42], [99, 42]] },
    { name: 'two clusters', values: [...Array<number>(990).fill(1000), ...Array<number>(10).fill(250_000)], p: [[50, 1], [99, 1], [99.9, 250], [100, 250]] },
  ])('nearest-rank percentiles: $name', ({ values, p }) => {
    const h = new LatencyHistogram();
    for (const v of values) h.recordMicros(v);
    for (const [q, ms] of p) expect(h.percentileMs(q!)).toBeCloseTo(ms!, 1);
    expect(h.count).toBe(values.length);
  });

  it('stays within 1/128 of the exact percentile on random data, and max/min/mean are exact', () => {
    const rand = prng(7);
    // Log-uniform from 1 µs to ~1.2 s: every bucket width is exercised.
    const values = Array.from({ length: 20_000 }, () => Math.round(Math.exp((rand(1_000_000) / 1_000_000) * 14)));
    const h = new LatencyHistogram();
    for (const v of values) h.recordMicros(v);
    for (const q of [1, 10, 50, 90, 99, 99.9]) {
      const e = exact(values, q) / 1000;
      expect(Math.abs(h.percentileMs(q) - e)).toBeLessThanOrEqual(e / 128 + 0.001);
    }
    const s = h.summary();
    expect(s.maxMs).toBe(Math.max(...values) / 1000);
    expect(s.minMs).toBe(Math.min(...values) / 1000);
    expect(s.meanMs).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length / 1000, 2);
  });

  it('is empty → zeros; refuses a percentile outside 0…100; merges', () => {
    const h = new LatencyHistogram();
    expect(h.summary()).toEqual({ count: 0, minMs: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 });
    h.recordMicros(10);
    expect(() => h.percentileMs(101)).toThrow(RangeError);
    expect(() => h.percentileMs(Number.NaN)).toThrow(RangeError);
    const other = new LatencyHistogram();
    other.recordSince(0n, 5_000_000n);
    h.add(other);
    expect(h.summary()).toMatchObject({ count: 2, minMs: 0.01, maxMs: 5, p50Ms: 0.01, p99Ms: 5 });
  });
});

describe('OCPP-J frames and verdicts', () => {
  it.each([
    ['[3,"7",{"a":1}]', { type: 3, id: '7', payload: { a: 1 } }],
    ['[4,"8","NotImplemented","no",{}]', { type: 4, id: '8', code: 'NotImplemented' }],
    ['[4,"8","InternalError","x"]', { type: 4, id: '8', code: 'InternalError' }],
    ['[2,"x1","GetVariables",{"getVariableData":[]}]', { type: 2, id: 'x1', action: 'GetVariables', payload: { getVariableData: [] } }],
    ['not json', undefined],
    ['{"a":1}', undefined],
    ['[3,7,{}]', undefined],
    ['[2,"1","Reset"]', undefined],
    ['[5,"1",{}]', undefined],
    ['[3,"1",{},"extra"]', undefined],
  ])('parses %s', (text, frame) => {
    expect(parseIncomingFrame(text)).toEqual(frame);
  });

  it('frames a CALL the same from an object and from its serialised payload', () => {
    const payload = { idToken: { idToken: 'DE"PNC', type: 'eMAID' } };
    expect(callFrame('1"2', 'Authorize', payload)).toBe(callFrame('1"2', 'Authorize', JSON.stringify(payload)));
    expect(JSON.parse(callFrame('9', 'Authorize', payload))).toEqual([2, '9', 'Authorize', payload]);
  });

  it.each([
    [{ idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' }, true, 'Accepted/Accepted'],
    [{ idTokenInfo: { status: 'Accepted' } }, true, 'Accepted'],
    [{ idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertificateRevoked' }, false, 'Invalid/CertificateRevoked'],
    [{ idTokenInfo: { status: 'Accepted' }, certificateStatus: 'CertChainError' }, false, 'Accepted/CertChainError'],
    [{ idTokenInfo: { status: 'NotAtThisTime' }, certificateStatus: 'Accepted' }, false, 'NotAtThisTime/Accepted'],
    [{ idTokenInfo: {} }, false, 'malformed'],
    [{ idTokenInfo: { status: 'Accepted' }, certificateStatus: 5 }, false, 'malformed'],
    [null, false, 'malformed'],
  ])('Authorize answer %j → accepted %s (%s)', (payload, accepted, status) => {
    expect(authorizeVerdict(payload)).toEqual({ accepted, status });
  });

  it.each([
    [{ idTokenInfo: { status: 'Accepted' } }, true, 'Accepted'],
    [{}, true, 'no idTokenInfo'],
    [{ totalCost: 1.2 }, true, 'no idTokenInfo'],
    [{ idTokenInfo: { status: 'Blocked' } }, false, 'Blocked'],
    [{ idTokenInfo: 'x' }, false, 'malformed'],
    ['x', false, 'malformed'],
  ])('TransactionEvent answer %j → accepted %s (%s)', (payload, accepted, status) => {
    expect(transactionVerdict(payload)).toEqual({ accepted, status });
  });

  it.each([
    ['GetVariables', { getVariableData: [{ component: { name: 'C' }, variable: { name: 'V' } }] }, { result: { getVariableResult: [{ attributeStatus: 'UnknownVariable', component: { name: 'C' }, variable: { name: 'V' } }] } }],
    ['SetVariables', { setVariableData: [{ attributeValue: '1', component: { name: 'C' }, variable: { name: 'V' } }] }, { result: { setVariableResult: [{ attributeStatus: 'UnknownVariable', component: { name: 'C' }, variable: { name: 'V' } }] } }],
    ['TriggerMessage', { requestedMessage: 'Heartbeat' }, { result: { status: 'Rejected' } }],
    ['GetVariables', {}, { error: { code: 'FormatViolation', description: 'getVariableData missing' } }],
    ['Reset', { type: 'Immediate' }, { error: { code: 'NotImplemented', description: 'the load station does not implement Reset' } }],
  ])('answers a CSMS %s', (action, payload, answer) => {
    expect(answerCsmsCall(action, payload)).toEqual(answer);
  });
});

describe('load generator config', () => {
  const valid = {
    url: 'ws://127.0.0.1:9000/ocpp/',
    stations: { prefix: 'LOAD-', count: 10, password: 'p' },
    tokens: [{ emaid: 'DEPNCC00000001X', hashData: [{ hashAlgorithm: 'SHA256', issuerNameHash: 'aa', issuerKeyHash: 'bb', serialNumber: '1f', responderURL: 'http://127.0.0.1/ocsp' }] }],
  };

  it('fills defaults and trims the URL', () => {
    const c = parseLoadGeneratorConfig(valid);
    expect(c).toMatchObject({ url: 'ws://127.0.0.1:9000/ocpp', stations: { prefix: 'LOAD-', first: 1, count: 10 }, inflight: 256, durationS: 30, warmupS: 5, transactionEvery: 1 });
    expect(c.ratePerSecond).toBeUndefined();
    expect(stationIdentity('LOAD-', 10)).toBe('LOAD-10');
  });

  it.each([
    ['not an object', 'x', /config must be an object/],
    ['http URL', { ...valid, url: 'http://127.0.0.1:9000' }, /ws:\/\//],
    ['no URL', { ...valid, url: '' }, /url/],
    ['zero stations', { ...valid, stations: { ...valid.stations, count: 0 } }, /count/],
    ['a prefix with a space', { ...valid, stations: { ...valid.stations, prefix: 'LOAD ' } }, /OCPP identifiers/],
    ['no tokens', { ...valid, tokens: [] }, /tokens/],
    ['five hash entries', { ...valid, tokens: [{ emaid: 'E', hashData: Array(5).fill(valid.tokens[0]!.hashData[0]) }] }, /1 to 4/],
    ['SHA1', { ...valid, tokens: [{ emaid: 'E', hashData: [{ ...valid.tokens[0]!.hashData[0], hashAlgorithm: 'SHA1' }] }] }, /SHA256/],
    ['an eMAID over 36 characters', { ...valid, tokens: [{ ...valid.tokens[0], emaid: 'E'.repeat(37) }] }, /emaid/],
    ['inflight 0', { ...valid, inflight: 0 }, /inflight/],
    ['rate 0', { ...valid, ratePerSecond: 0 }, /ratePerSecond/],
    ['a fractional timeout', { ...valid, requestTimeoutMs: 10.5 }, /requestTimeoutMs/],
    ['a huge duration', { ...valid, durationS: 1e9 }, /durationS/],
  ])('refuses %s', (_name, value, message) => {
    expect(() => parseLoadGeneratorConfig(value)).toThrow(LoadConfigError);
    expect(() => parseLoadGeneratorConfig(value)).toThrow(message);
  });
});

describe('result table and ratios against the targets', () => {
  const row = (over: Partial<CsmsLoadRow>): CsmsLoadRow => ({
    mode: 'sqlite cached',
    db: 'sqlite',
    ocsp: 'cached',
    stations: 10_000,
    held: 10_000,
    authorizePerSecond: 3412,
    p50Ms: 12.1,
    p99Ms: 38,
    maxMs: 120.5,
    transactionEventPerSecond: 6824,
    transactionEventP99Ms: 40,
    csmsRssPeakMb: 612,
    csmsCpuPercent: 185,
    errors: 0,
    generatorCpuPercent: 40,
    generatorRssPeakMb: 300,
    ...over,
  });

  it.each([
    [3412, 3000, 1.14],
    [38, 100, 0.38],
    [612, 1024, 0.6],
    [0, 3000, 0],
    [5, 0, 0],
  ])('ratio(%d, %d) = %d', (v, t, r) => expect(ratio(v, t)).toBe(r));

  it.each([
    ['every target met', {}, true],
    ['too slow', { authorizePerSecond: 2999 }, false],
    ['p99 over', { p99Ms: 100.5 }, false],
    ['RSS over', { csmsRssPeakMb: 1025 }, false],
    ['stations dropped', { held: 9999 }, false],
    ['errors', { errors: 1 }, false],
    ['uncached: no verdict', { ocsp: 'uncached' as const, authorizePerSecond: 10 }, undefined],
  ])('verdict: %s', (_name, over, meets) => {
    expect(rowVerdict(row(over)).meetsTargets).toBe(meets);
  });

  it('prints the table and each measure beside its target', () => {
    const rows = [row({}), row({ mode: 'postgres uncached', db: 'postgres', ocsp: 'uncached', authorizePerSecond: 900, p99Ms: 250 }), failedRow({ mode: 'postgres cached', db: 'postgres', ocsp: 'cached' }, 10_000, 'pnc csms serve: exited (1)\nstack')];
    const table = formatTable(rows);
    expect(table[0]).toMatch(/^mode\s+stations\s+Authorize\/s\s+p50 ms\s+p99 ms\s+max ms\s+TxEvent\/s\s+CSMS RSS\s+CSMS CPU\s+errors\s+gen CPU$/);
    expect(table[1]).toMatch(/^sqlite cached\s+10000\/10000\s+3 412\s+12\.1\s+38\.0\s+121\s+6 824\s+612 MB\s+185%\s+0\s+40%$/);
    expect(table[3]).toBe('postgres cached     did not run: pnc csms serve: exited (1)');
    const verdicts = formatVerdicts(rows);
    expect(verdicts).toHaveLength(2);
    expect(verdicts[0]).toBe('sqlite cached: stations 10 000 = 1.00× target · 3 412 Authorize/s = 1.14× target · p99 38.0 ms = 0.38× limit · RSS 612 MB = 0.60× limit → meets every target');
    expect(verdicts[1]).toContain('900 Authorize/s = 0.30× target (set for cached OCSP) · p99 250 ms = 2.50× limit');
    expect(verdicts[1]).not.toContain('→');
    expect(CSMS_LOAD_TARGETS).toEqual({ stations: 10_000, authorizePerSecond: 3000, p99Ms: 100, rssMb: 1024 });
  });
});

describe('/proc parsing', () => {
  it('reads VmRSS and VmHWM', () => {
    expect(parseProcStatus('Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t7\n')).toEqual({ rssKb: 102400, hwmKb: 204800 });
    expect(() => parseProcStatus('Name:\tnode\n')).toThrow(ProcStatsError);
  });

  it.each([
    ['123 (node) S 1 123 123 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 100 1000 200', 300],
    // A command name with spaces and parentheses: fields count from the last ')'.
    ['7 (a b) (c)) R 1 7 7 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 1 1 1', 11],
  ])('reads utime + stime from %s', (text, ticks) => {
    expect(parseProcStatTicks(text)).toBe(ticks);
  });

  it('refuses a stat line without times', () => {
    expect(() => parseProcStatTicks('1 (x) S 1')).toThrow(ProcStatsError);
    expect(() => parseProcStatTicks('garbage')).toThrow(ProcStatsError);
  });
});

describe('ready lines and printed tokens', () => {
  it.each([
    ['{"ready":true,"party":"csms","ocppUrl":"ws://127.0.0.1:9000","pid":12}', { ready: true, party: 'csms', ocppUrl: 'ws://127.0.0.1:9000', pid: 12 }],
    ['{"ready":false}', undefined],
    ['{"level":30,"msg":"x"}', undefined],
    ['{"ready":true', undefined],
    ['OCSP responder for 6 CAs listening on http://127.0.0.1:2560 (certificates point at …)', undefined],
  ])('parses %s', (line, ready) => {
    expect(parseReadyLine(line)).toEqual(ready);
  });

  it('accepts a legacy text line when asked', () => {
    expect(parseReadyLine('OCSP responder for 6 CAs listening on http://127.0.0.1:2560 (x)', /listening on (?<url>\S+)/)).toMatchObject({ ready: true, url: 'http://127.0.0.1:2560' });
  });

  it.each([
    ['abc123\n', 'abc123'],
    ['warning: something\ntok-en_1\n\n', 'tok-en_1'],
    ['{"token":"T0K"}\n', 'T0K'],
  ])('takes the token from %j', (out, token) => {
    expect(parsePeerToken(out)).toBe(token);
  });

  it.each(['', '\n\n', '{"name":"x"}', 'the token is abc'])('refuses %j', (out) => {
    expect(() => parsePeerToken(out)).toThrow(BenchProcessError);
  });
});

describe('pnc bench csms-load options', () => {
  it('defaults to the issue’s target run: 10 000 stations, both databases, both OCSP modes', () => {
    expect(csmsLoadOptions({})).toMatchObject({ stations: 10_000, durationS: 30, inflight: 256, dbs: ['sqlite', 'postgres'], ocspModes: ['cached', 'uncached'], contracts: 20, suite: 'iso2', transactionEvery: 1, ceiling: false });
    expect(csmsLoadOptions({}).ratePerSecond).toBeUndefined();
  });

  it('takes every option', () => {
    expect(csmsLoadOptions({ stations: '2000', duration: '10', warmup: '0', inflight: '64', rate: '3000', db: 'sqlite', ocsp: 'uncached', contracts: '5', suite: 'iso20-p521', txEvery: '0', connectConcurrency: '32', timeout: '2000', ceiling: true, json: true })).toMatchObject({
      stations: 2000,
      durationS: 10,
      warmupS: 0,
      inflight: 64,
      ratePerSecond: 3000,
      dbs: ['sqlite'],
      ocspModes: ['uncached'],
      contracts: 5,
      suite: 'iso20-p521',
      transactionEvery: 0,
      connectConcurrency: 32,
      requestTimeoutMs: 2000,
      ceiling: true,
      json: true,
    });
  });

  it.each([
    [{ stations: '0' }, /--stations/],
    [{ stations: '1.5' }, /--stations expects a whole number/],
    [{ duration: 'x' }, /--duration/],
    [{ rate: '-1' }, /--rate/],
    [{ db: 'mysql' }, /--db must be sqlite, postgres or both/],
    [{ ocsp: 'sometimes' }, /--ocsp/],
    [{ suite: 'iso3' }, /--suite/],
  ])('refuses %j', (args, message) => {
    expect(() => csmsLoadOptions(args)).toThrow(UsageError);
    expect(() => csmsLoadOptions(args)).toThrow(message);
  });

  it('registers `bench csms-load` with its flags on a commander program', () => {
    const text: string[] = [];
    const results: (Promise<number> | number)[] = [];
    const program = new Command('pnc').exitOverride().configureOutput({ writeOut: (t) => text.push(t), writeErr: (t) => text.push(t) });
    const bench = program.command('bench').exitOverride();
    registerCsmsLoadBench(bench, { out: () => undefined, err: () => undefined, env: {} }, (p) => results.push(p)).exitOverride();
    expect(() => program.parse(['bench', 'csms-load', '--help'], { from: 'user' })).toThrow(CommanderError);
    const help = text.join('');
    for (const flag of ['--stations <N>', '--duration <S>', '--inflight <N>', '--rate <R>', '--db <DB>', '--ocsp <MODE>', '--json', '--ceiling']) expect(help).toContain(flag);
    expect(help).toMatch(/choices: "sqlite", "postgres",\s+"both"/);
    text.length = 0;
    expect(() => program.parse(['bench', 'csms-load', '--db', 'mysql'], { from: 'user' })).toThrow(CommanderError);
    expect(text.join('')).toMatch(/Allowed choices are sqlite, postgres, both/);
    expect(results).toEqual([]);
  });
});
