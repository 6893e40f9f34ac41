// The OCPP 2.0.1 types are reproducible from the shipped official schemas, the schemas are the unmodified OCA files,
// and every action we type is one ocpp-rpc's strict mode validates.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, OUTPUT, SCHEMA_DIR } from '../../scripts/ocpp/generate.js';
import { OCPP201_ACTIONS } from '../../src/ocpp/generated/ocpp201.js';

const SHARED = join(SCHEMA_DIR, '../../../shared/schemas/ocpp-2.0.1');
const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('OCPP 2.0.1 types and schemas', () => {
  it('regenerating from schemas/ocpp-2.0.1 gives the committed file', () => {
    expect(generate()).toBe(readFileSync(OUTPUT, 'utf8'));
  });

  it('ships the 128 official files, each declaring itself OCPP 2.0.1 FINAL', () => {
    const files = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(128);
    for (const f of files) {
      const s = JSON.parse(readFileSync(join(SCHEMA_DIR, f), 'utf8')) as { $id: string; comment: string };
      expect(s.$id).toBe(`urn:OCPP:Cp:2:2020:3:${f.slice(0, -5)}`);
      expect(s.comment).toBe('OCPP 2.0.1 FINAL');
    }
  });

  it.runIf(existsSync(SHARED))('the shipped files are byte-identical to the project’s source copies', () => {
    for (const f of readdirSync(SCHEMA_DIR).filter((x) => x.endsWith('.json'))) expect(sha(join(SCHEMA_DIR, f)), f).toBe(sha(join(SHARED, f)));
  });

  it('64 actions, each with a request and a response schema in ocpp-rpc’s strict-mode set', () => {
    expect(OCPP201_ACTIONS).toHaveLength(64);
    const bundled = createRequire(import.meta.url)('ocpp-rpc/lib/schemas/ocpp2_0_1.json') as { $id: string }[];
    const ids = new Set(bundled.map((s) => s.$id));
    for (const a of OCPP201_ACTIONS) {
      expect(ids.has(`urn:${a}.req`), a).toBe(true);
      expect(ids.has(`urn:${a}.conf`), a).toBe(true);
    }
  });
});
