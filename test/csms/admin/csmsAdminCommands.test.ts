// `pnc csms install-certificate …` and its siblings, run as the CLI runs them (commander, exit codes), against the
// admin API in front of a real charger; delete-certificate computes the hash data with the algorithm the station uses.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCsmsAdminCommands, parseAssignment, parseComponentVariable, stationAccepted } from '../../../src/cli/csmsAdminCommands.js';
import { Exit, UsageError, type CliIo } from '../../../src/cli/io.js';
import { startAdminServer, type AdminServer } from '../../../src/csms/admin/adminServer.js';
import { certificateHashDataOf } from '../../../src/csms/admin/installedCertificateMatch.js';
import type { CertificateHashDataType } from '../../../src/ocpp/generated/ocpp201.js';
import { encodePem } from '../../../src/pki/certificate/pem.js';
import { silentTracer } from '../../../src/trace/tracer.js';
import { cert } from '../../helpers/fixtures.js';
import { startStationTestbed, STATION_ID, type StationTestbed } from '../../helpers/stationTestbed.js';
import { connectBareStation, stationCallerOver, type BareStation } from '../certificates/testStations.js';

const TOKEN = 'cli-admin-token-0123456789';
let bed: StationTestbed;
let admin: AdminServer;
let bare: BareStation;
let dir: string;
const deleted: CertificateHashDataType[] = [];

async function pnc(argv: readonly string[], env: NodeJS.ProcessEnv = { PNC_CSMS_ADMIN_TOKEN: TOKEN }): Promise<{ code: number; out: string; err: string; json: unknown }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), env };
  const outcome: { result: Promise<number> | number } = { result: Exit.ok };
  const program = new Command('pnc').exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  registerCsmsAdminCommands(program.command('csms'), io, (r) => {
    outcome.result = r;
  });
  let code: number;
  try {
    await program.parseAsync(['csms', ...argv], { from: 'user' });
    code = await outcome.result;
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode === 0 ? Exit.ok : Exit.usage;
    else if (e instanceof UsageError) {
      err += e.message;
      code = Exit.usage;
    } else throw e;
  }
  const line = out.trim().split('\n').at(-1) ?? '';
  return { code, out, err, json: line ? (JSON.parse(line) as unknown) : undefined };
}
const at = (station = STATION_ID) => ['--admin', admin.url, '--station', station];
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pnc-cli-admin-'));
  bed = await startStationTestbed();
  await bed.csms.waitFor(STATION_ID, 'StatusNotification');
  // A station whose installed certificates are named with SHA-384 (M04.FR.07: the CSMS must use that algorithm).
  bare = await connectBareStation(bed.csms, 'CS-SHA384', 'sha384-station-password');
  const moRoot = cert('iso20-p521/mo-root').cert;
  bare.handle('GetInstalledCertificateIds', () => ({
    status: 'Accepted',
    certificateHashDataChain: [{ certificateType: 'MORootCertificate', certificateHashData: { ...certificateHashDataOf(moRoot, moRoot, 'SHA384'), issuerKeyHash: certificateHashDataOf(moRoot, moRoot, 'SHA384').issuerKeyHash.toUpperCase() } }],
  }));
  bare.handle('DeleteCertificate', (req) => {
    deleted.push(req.certificateHashData);
    return { status: 'Accepted' };
  });
  admin = await startAdminServer({
    stations: stationCallerOver(bed.csms, () => [STATION_ID, 'CS-SHA384']),
    tracer: silentTracer('csms'),
    token: TOKEN,
    nodeId: 'node-a',
    whereConnected: (id) => Promise.resolve(id === 'CS-OTHER' ? 'node-b' : undefined),
  });
});
afterAll(async () => {
  await admin?.close();
  await bare?.close();
  await bed?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('certificates', () => {
  it('install-certificate → get-installed-certificate-ids → delete-certificate FILE → again NotFound', async () => {
    const rootFile = file('mo-root.pem', encodePem('CERTIFICATE', cert('iso20-ed448/mo-root').der));
    const install = await pnc(['install-certificate', ...at(), '--type', 'MORootCertificate', rootFile]);
    expect(install).toMatchObject({ code: 0, json: { status: 'Accepted' } });
    const ids = await pnc(['get-installed-certificate-ids', ...at(), '--type', 'MORootCertificate']);
    expect(ids.code).toBe(0);
    expect((ids.json as { certificateHashDataChain: unknown[] }).certificateHashDataChain).toHaveLength(2);
    expect(await pnc(['delete-certificate', ...at(), rootFile])).toMatchObject({ code: 0, json: { status: 'Accepted' } });
    const again = await pnc(['delete-certificate', ...at(), rootFile]);
    expect(again).toMatchObject({ code: 1, json: { status: 'NotFound' } });
  });

  it('delete-certificate uses the hash algorithm and the very entry the station reported (SHA-384, upper-case hex)', async () => {
    const rootFile = file('p521-mo-root.pem', encodePem('CERTIFICATE', cert('iso20-p521/mo-root').der));
    const r = await pnc(['delete-certificate', ...at('CS-SHA384'), rootFile]);
    expect(r.code).toBe(0);
    expect(deleted).toHaveLength(1);
    expect(deleted[0]!.hashAlgorithm).toBe('SHA384');
    expect(deleted[0]!.issuerKeyHash).toMatch(/^[0-9A-F]{96}$/);
    // A certificate the station does not have: nothing is deleted.
    const other = await pnc(['delete-certificate', ...at('CS-SHA384'), file('v2g.pem', encodePem('CERTIFICATE', cert('iso2/v2g-root').der))]);
    expect(other).toMatchObject({ code: 1, json: { status: 'NotFound' } });
    expect(deleted).toHaveLength(1);
  });

  it('delete-certificate: --hash-data as given; neither or both → usage; a sub-CA without its issuer → usage', async () => {
    const hd = JSON.stringify({ hashAlgorithm: 'SHA256', issuerNameHash: '00', issuerKeyHash: '00', serialNumber: '1' });
    expect(await pnc(['delete-certificate', ...at(), '--hash-data', hd])).toMatchObject({ code: 1, json: { status: 'NotFound' } });
    expect((await pnc(['delete-certificate', ...at()])).code).toBe(2);
    expect((await pnc(['delete-certificate', ...at(), '--hash-data', hd, file('x.pem', encodePem('CERTIFICATE', cert('iso2/v2g-root').der))])).code).toBe(2);
    expect((await pnc(['delete-certificate', ...at(), '--hash-data', '{"hashAlgorithm":"SHA256"}'])).code).toBe(2);
    expect((await pnc(['delete-certificate', ...at(), file('sub.pem', encodePem('CERTIFICATE', cert('iso2/cpo-sub2').der))])).code).toBe(2);
    // With its issuer after it, a sub-CA is named (the charger lists its SECC chain's sub-CAs as children).
    const withIssuer = file('sub-chain.pem', encodePem('CERTIFICATE', cert('iso2/cpo-sub2').der) + encodePem('CERTIFICATE', cert('iso2/cpo-sub1').der));
    const sub = await pnc(['delete-certificate', ...at(), withIssuer]);
    console.log('SUBCHAIN', sub.json);
    expect(sub.code).toBe(1);
  });

  it('install-certificate of a leaf or garbage: exit 2 (the CSMS refuses it before calling)', async () => {
    expect((await pnc(['install-certificate', ...at(), '--type', 'V2GRootCertificate', file('leaf.pem', encodePem('CERTIFICATE', cert('iso2/secc').der))])).code).toBe(2);
    expect((await pnc(['install-certificate', ...at(), '--type', 'V2GRootCertificate', file('junk.pem', 'junk')])).code).toBe(2);
    expect((await pnc(['install-certificate', ...at(), '--type', 'NoSuchType', file('j2.pem', 'junk')])).code).toBe(2);
    expect((await pnc(['install-certificate', ...at(), '--type', 'V2GRootCertificate', join(dir, 'missing.pem')])).code).toBe(2);
  });
});

describe('local list, variables, trigger', () => {
  it('send-local-list Full from a file, get-local-list-version, a stale Differential → exit 1', async () => {
    const list = file('list.json', JSON.stringify([{ idToken: { idToken: '04A1B2C3', type: 'ISO14443' }, idTokenInfo: { status: 'Accepted' } }]));
    expect(await pnc(['send-local-list', ...at(), '--version', '3', '--update', 'Full', list])).toMatchObject({ code: 0, json: { status: 'Accepted' } });
    expect(await pnc(['get-local-list-version', ...at()])).toMatchObject({ code: 0, json: { versionNumber: 3 } });
    expect(await pnc(['send-local-list', ...at(), '--version', '3', '--update', 'Differential'])).toMatchObject({ code: 1, json: { status: 'VersionMismatch' } });
    const wrapped = file('wrapped.json', JSON.stringify({ localAuthorizationList: [{ idToken: { idToken: '04A1B2C4', type: 'ISO14443' } }] }));
    expect((await pnc(['send-local-list', ...at(), '--version', '4', '--update', 'Differential', wrapped])).code).toBe(0);
    expect((await pnc(['send-local-list', ...at(), '--version', 'x', '--update', 'Full'])).code).toBe(2);
    expect((await pnc(['send-local-list', ...at(), '--version', '5', '--update', 'Full', file('bad.json', '{"x":1}')])).code).toBe(2);
    // Schema-invalid entries are refused by the CSMS (400) → exit 2.
    expect((await pnc(['send-local-list', ...at(), '--version', '5', '--update', 'Full', file('bad2.json', '[{"idToken":{"idToken":"1"}}]')])).code).toBe(2);
  });

  it('set-variables / get-variables: accepted → 0, any refused item → 1, malformed → 2', async () => {
    expect((await pnc(['set-variables', ...at(), 'AuthCtrlr.LocalAuthorizeOffline=false', 'ISO15118Ctrlr.SeccId=DE*PNC*E00001'])).code).toBe(0);
    const refused = await pnc(['set-variables', ...at(), 'ISO15118Ctrlr.CountryName=de']);
    expect(refused.code).toBe(1);
    expect((refused.json as { setVariableResult: { attributeStatus: string }[] }).setVariableResult[0]!.attributeStatus).toBe('Rejected');
    const got = await pnc(['get-variables', ...at(), 'AuthCtrlr.LocalAuthorizeOffline', 'ISO15118Ctrlr.SeccId']);
    expect(got.code).toBe(0);
    expect((got.json as { getVariableResult: { attributeValue: string }[] }).getVariableResult.map((r) => r.attributeValue)).toEqual(['false', 'DE*PNC*E00001']);
    expect((await pnc(['get-variables', ...at(), 'NoSuchCtrlr.X'])).code).toBe(1);
    expect((await pnc(['set-variables', ...at(), 'no-dot=1'])).code).toBe(2);
    expect((await pnc(['get-variables', ...at(), 'A.B=c'])).code).toBe(2);
  });

  it('iso15118 sets ISO15118Ctrlr variables by flag', async () => {
    const r = await pnc(['iso15118', ...at(), '--contract-validation-offline', 'true', '--central-contract-validation-allowed', 'false', '--pnc-enabled', 'true']);
    expect(r.code).toBe(0);
    expect((r.json as { setVariableResult: { variable: { name: string } }[] }).setVariableResult.map((x) => x.variable.name)).toEqual(['PnCEnabled', 'ContractValidationOffline', 'CentralContractValidationAllowed']);
    const check = await pnc(['get-variables', ...at(), 'ISO15118Ctrlr.ContractValidationOffline', 'ISO15118Ctrlr.CentralContractValidationAllowed']);
    expect((check.json as { getVariableResult: { attributeValue: string }[] }).getVariableResult.map((x) => x.attributeValue)).toEqual(['true', 'false']);
    expect((await pnc(['iso15118', ...at(), '--pnc-enabled', 'yes'])).code).toBe(2);
    expect((await pnc(['iso15118', ...at()])).code).toBe(2);
    expect((await pnc(['iso15118', ...at(), '--v2g-certificate-installation-enabled', 'true', '--secc-id', 'DE*PNC*E00001'])).code).toBe(0);
  });

  it('trigger-message', async () => {
    expect(await pnc(['trigger-message', ...at(), 'Heartbeat'])).toMatchObject({ code: 0, json: { status: 'Accepted' } });
    expect((await pnc(['trigger-message', ...at(), 'StatusNotification', '--evse', '1', '--connector', '1'])).code).toBe(0);
    expect((await pnc(['trigger-message', ...at(), 'Bogus'])).code).toBe(2);
    expect((await pnc(['trigger-message', ...at(), 'Heartbeat', '--connector', '1'])).code).toBe(2);
  });
});

describe('reaching the CSMS', () => {
  it('token from --admin-token or PNC_CSMS_ADMIN_TOKEN; a wrong one → exit 2 with the reason', async () => {
    expect((await pnc(['get-local-list-version', ...at(), '--admin-token', TOKEN], {})).code).toBe(0);
    const wrong = await pnc(['get-local-list-version', ...at()], { PNC_CSMS_ADMIN_TOKEN: 'wrong-token-0123456789' });
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/HTTP 401/);
    expect((await pnc(['get-local-list-version', ...at()], {})).code).toBe(2);
  });

  it('a station on another node → exit 1 with the 409 body; the CSMS down → exit 1; a bad URL → exit 2', async () => {
    const other = await pnc(['get-local-list-version', ...at('CS-OTHER')]);
    expect(other).toMatchObject({ code: 1, json: { error: 'NotConnectedHere', connectedNode: 'node-b' } });
    const down = await pnc(['get-local-list-version', '--admin', 'http://127.0.0.1:1', '--station', STATION_ID]);
    expect(down.code).toBe(1);
    expect(down.err).toMatch(/cannot reach/);
    expect((await pnc(['get-local-list-version', '--admin', 'not a url', '--station', STATION_ID])).code).toBe(2);
    expect((await pnc(['get-local-list-version', '--admin', 'ftp://x', '--station', STATION_ID])).code).toBe(2);
    expect((await pnc(['get-local-list-version', ...at(), '--timeout', '0'])).code).toBe(2);
  });
});

describe('parsing helpers', () => {
  it.each([
    ['ISO15118Ctrlr.PnCEnabled', { component: { name: 'ISO15118Ctrlr' }, variable: { name: 'PnCEnabled' } }],
    ['EVSE@2.Power', { component: { name: 'EVSE', evse: { id: 2 } }, variable: { name: 'Power' } }],
    ['TxCtrlr:main.EVConnectionTimeOut:x', { component: { name: 'TxCtrlr', instance: 'main' }, variable: { name: 'EVConnectionTimeOut', instance: 'x' } }],
  ])('%s', (spec, expected) => {
    expect(parseComponentVariable(spec)).toEqual(expected);
  });

  it('assignments split at the first =, values may hold = and spaces', () => {
    expect(parseAssignment('SecurityCtrlr.Identity=a=b c')).toMatchObject({ attributeValue: 'a=b c' });
    expect(parseAssignment('A.B=')).toMatchObject({ attributeValue: '' });
    for (const bad of ['A', '.B', 'A.', 'A B.C', 'A.B.C']) expect(() => parseComponentVariable(bad)).toThrow(UsageError);
  });

  it.each([
    ['install-certificate', { status: 'Accepted' }, true],
    ['install-certificate', { status: 'Rejected' }, false],
    ['get-local-list-version', { versionNumber: 0 }, true],
    ['set-variables', { setVariableResult: [{ attributeStatus: 'Accepted' }, { attributeStatus: 'RebootRequired' }] }, true],
    ['set-variables', { setVariableResult: [{ attributeStatus: 'Accepted' }, { attributeStatus: 'UnknownVariable' }] }, false],
    ['get-variables', { getVariableResult: [{ attributeStatus: 'Accepted' }] }, true],
    ['trigger-message', {}, false],
    ['trigger-message', null, false],
  ] as const)('stationAccepted(%s, %j) = %s', (route, body, expected) => {
    expect(stationAccepted(route, body)).toBe(expected);
  });
});
