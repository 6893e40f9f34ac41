// Get15118EVCertificate: the EV's CertificateInstallationReq EXI goes to a strict OCPP 2.0.1 CSMS base64-encoded, and
// the CSMS's exiResponse comes back byte for byte; refusals and limits end in "no certificate" (the SECC then answers
// FAILED_NoCertificateAvailable), never in a thrown error.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectToCsms, type CsmsConnection } from '../../src/charger/station/csmsConnection.js';
import { evCertificateForwarder, MAX_EXI_BASE64 } from '../../src/charger/station/evCertificateForwarder.js';
import { silentTracer } from '../../src/trace/tracer.js';
import { startTestCsms, type TestCsms } from '../helpers/testCsms.js';

const ID = 'CS-EVCERT-1';
const PASSWORD = 'evcert-test-password-01';
let csms: TestCsms;
let connection: CsmsConnection;
let enabled = true;
const forward = () => evCertificateForwarder({ peer: () => connection.peer(), enabled: () => enabled, tracer: silentTracer('charger'), callTimeoutMs: 1000 });

beforeAll(async () => {
  csms = await startTestCsms({ security: { profile: 1, passwords: { [ID]: PASSWORD } } });
  connection = connectToCsms({ url: csms.url, identity: ID, security: { profile: 1, basicAuthPassword: PASSWORD } });
  await connection.waitForConnection({ timeoutMs: 5000 });
});
afterAll(async () => {
  await connection.close({ force: true });
  await csms.close();
});

describe('Get15118EVCertificate forwarding', () => {
  it('request EXI out as base64 with the -2 schema and action Install; the answer back verbatim', async () => {
    const request = randomBytes(900);
    const answer = randomBytes(2500);
    csms.answer('Get15118EVCertificate', () => ({ status: 'Accepted', exiResponse: answer.toString('base64') }));
    const got = await forward()('s1', request);
    expect(Buffer.from(got!).equals(answer)).toBe(true);
    const call = csms.calls(ID, 'Get15118EVCertificate').at(-1)!;
    expect(call.payload).toEqual({ iso15118SchemaVersion: 'urn:iso:15118:2:2013:MsgDef', action: 'Install', exiRequest: request.toString('base64') });
  });

  it.each([
    ['the CSMS answers Failed', () => csms.answer('Get15118EVCertificate', () => ({ status: 'Failed', exiResponse: '' }))],
    ['the CSMS answers Accepted with an empty exiResponse', () => csms.answer('Get15118EVCertificate', () => ({ status: 'Accepted', exiResponse: '' }))],
    ['the CSMS does not answer in time', () => csms.answer('Get15118EVCertificate', () => new Promise(() => undefined))],
  ])('%s → no certificate', async (_name, arrange) => {
    arrange();
    expect(await forward()('s2', randomBytes(100))).toBeUndefined();
  });

  it('installation disabled (ContractCertificateInstallationEnabled false) or over the OCPP size limit → not sent at all', async () => {
    const before = csms.calls(ID, 'Get15118EVCertificate').length;
    enabled = false;
    expect(await forward()('s3', randomBytes(100))).toBeUndefined();
    enabled = true;
    expect(await forward()('s4', randomBytes(Math.ceil((MAX_EXI_BASE64 * 3) / 4) + 3))).toBeUndefined();
    expect(csms.calls(ID, 'Get15118EVCertificate')).toHaveLength(before);
  });
});
