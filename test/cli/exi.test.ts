// `pnc exi decode|encode` against the CLI contract: HEX or one stream per stdin line to one JSON per line and back; a
// failing item prints { "error": … } and the command goes on; exit 1 if any failed, 2 for usage errors.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const vectors = JSON.parse(readFileSync(join(ROOT, 'test/exi/fixtures/vectors.json'), 'utf8')) as { id: string; hex: string }[];
const hexOf = (id: string): string => vectors.find((v) => v.id === id)!.hex;

interface ErrorLine {
  readonly error: { readonly code: string; readonly path: string[]; readonly message: string };
}
const errorOf = (line: string | undefined): ErrorLine['error'] => (JSON.parse(line!) as ErrorLine).error;

async function pnc(argv: string[], stdin?: string): Promise<{ code: number; lines: string[]; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    out: (t) => void (stdout += t),
    err: (t) => void (stderr += t),
    env: {},
    ...(stdin !== undefined ? { stdin: Readable.from([stdin]) } : {}),
  };
  const code = await run(argv, io);
  return { code, lines: stdout.split('\n').filter(Boolean), stderr };
}

describe('pnc exi', () => {
  it('decodes a stream given as HEX and encodes the JSON back to the same stream', async () => {
    const hex = hexOf('din-service-discovery-res');
    const d = await pnc(['exi', 'decode', '--schema', 'din', hex]);
    expect(d.code).toBe(0);
    expect(JSON.parse(d.lines[0]!)).toMatchObject({ V2G_Message: { Body: { ServiceDiscoveryRes: { ResponseCode: 'OK' } } } });
    const e = await pnc(['exi', 'encode', '--schema', 'din', d.lines[0]!]);
    expect([e.code, e.lines]).toEqual([0, [hex]]);
  });

  it('reads one stream per stdin line; a failing line prints an error object and the others go on', async () => {
    const input = [hexOf('iso20-session-setup-req'), '', 'not hex', '80ff', hexOf('iso20-session-setup-res')].join('\n');
    const d = await pnc(['exi', 'decode', '--schema', 'iso20'], input);
    expect(d.code).toBe(1);
    expect(d.lines).toHaveLength(4);
    expect(JSON.parse(d.lines[0]!)).toHaveProperty('SessionSetupReq.EVCCID', 'WMIV1234567890ABCDEX');
    expect(JSON.parse(d.lines[1]!)).toEqual({ error: { code: 'input', path: [], message: 'not a hex string' } });
    expect(errorOf(d.lines[2]).code).toBe('event');
    expect(JSON.parse(d.lines[3]!)).toHaveProperty('SessionSetupRes.ResponseCode', 'OK_NewSessionEstablished');
  });

  it('encode: one JSON per stdin line, errors name the field', async () => {
    const ok = JSON.stringify({ supportedAppProtocolRes: { ResponseCode: 'OK_SuccessfulNegotiation', SchemaID: 1 } });
    const bad = JSON.stringify({ supportedAppProtocolRes: { ResponseCode: 'Maybe' } });
    const e = await pnc(['exi', 'encode', '--schema', 'appHandshake'], `${ok}\n{oops\n${bad}\n`);
    expect(e.code).toBe(1);
    expect(e.lines[0]).toBe(hexOf('sap-res-ok-schema1'));
    expect(errorOf(e.lines[1]).message).toMatch(/^not JSON/);
    expect(errorOf(e.lines[2])).toMatchObject({ code: 'facet', path: ['supportedAppProtocolRes', 'ResponseCode'] });
  });

  it('--fragment: signature fragments, including the eMAID element fragment', async () => {
    for (const [id, schema] of [
      ['iso2-annexj-signedinfo-fragment', 'xmldsig'],
      ['iso2-rise-emaid-element-fragment', 'iso2'],
    ] as const) {
      const d = await pnc(['exi', 'decode', '--schema', schema, '--fragment', hexOf(id)]);
      expect(d.code).toBe(0);
      expect(Array.isArray(JSON.parse(d.lines[0]!))).toBe(true);
      const e = await pnc(['exi', 'encode', '--schema', schema, '--fragment', d.lines[0]!]);
      expect(e.lines).toEqual([hexOf(id)]);
    }
  });

  it('--v2gtp strips and checks the V2GTP header', async () => {
    const payload = hexOf('sap-req-iso20-ac');
    const header = `01fe8001${(payload.length / 2).toString(16).padStart(8, '0')}`;
    const d = await pnc(['exi', 'decode', '--schema', 'appHandshake', '--v2gtp', header + payload, `01fe800100000099${payload}`]);
    expect(d.code).toBe(1);
    expect(JSON.parse(d.lines[0]!)).toHaveProperty('supportedAppProtocolReq');
    expect(errorOf(d.lines[1]).message).toMatch(/payload length/);
  });

  it('usage errors exit 2', async () => {
    expect((await pnc(['exi', 'decode', '--schema', 'iso3', '80'])).code).toBe(2);
    expect((await pnc(['exi', 'decode', '80'])).code).toBe(2);
  });

  it('works as the installed binary, reading stdin', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/pnc.js'), 'exi', 'decode', '--schema', 'iso20-ac'], {
      input: `${hexOf('iso20-ac-charge-loop-req')}\n`,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty('AC_ChargeLoopReq.BPT_Scheduled_AC_CLReqControlMode.EVPresentActivePower', { Exponent: 3, Value: 200 });
  });
});
