// GetCertificateStatus (M06) through the relay: a verified DER OCSPResponse that openssl reads, or Failed.
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getCertificateStatusHandler, MAX_OCSP_RESULT_CHARACTERS } from '../../../src/csms/revocation/certificateStatusRelay.js';
import { KnownIssuers, knownIssuersFromPkiDir } from '../../../src/csms/revocation/knownIssuers.js';
import { createOcspLookup, type OcspLookup } from '../../../src/csms/revocation/ocspLookup.js';
import type { GetCertificateStatusRequest, GetCertificateStatusResponse, OCSPRequestDataType } from '../../../src/ocpp/generated/ocpp201.js';
import { certIdFromRequestData } from '../../../src/pki/ocsp/certId.js';
import { encodeOcspRequest, parseOcspResponse } from '../../../src/pki/ocsp/ocspMessages.js';
import { silentTracer } from '../../../src/trace/tracer.js';
import type { TraceEvent } from '../../../src/trace/traceEvent.js';
import { drain } from '../../helpers/ocspTestbed.js';
import { openssl, pemOf, scratch } from '../../helpers/openssl.js';
import { startRecordingServer, type RecordingServer } from './recordingServer.js';
import { paddedResponse, startRevocationBench, type RevocationBench } from './revocationBench.js';

let bench: RevocationBench;
let trap: RecordingServer;
let answer: (res: ServerResponse, body: Buffer) => void;
const lookups: OcspLookup[] = [];
let events: TraceEvent[] = [];

function handler(options: { issuers?: KnownIssuers; allowPrivate?: boolean } = {}): (req: GetCertificateStatusRequest) => Promise<GetCertificateStatusResponse> {
  const lookup = createOcspLookup({
    policy: { allowedOrigins: [bench.server.origin, trap.origin, 'http://169.254.169.254'], allowPrivateAddresses: options.allowPrivate ?? true },
    timeoutMs: 2000,
    clock: bench.clock,
  });
  lookups.push(lookup);
  const h = getCertificateStatusHandler({ lookup, issuers: options.issuers ?? knownIssuersFromPkiDir(bench.dir), tracer: silentTracer('csms', [(e) => events.push(e)]) });
  return (req) => h(req, { stationId: 'CS-7', messageId: 'm-1' });
}

beforeAll(async () => {
  bench = await startRevocationBench();
  trap = await startRecordingServer((req, res) => void drain(req).then((body) => answer(res, body)));
});
afterAll(async () => {
  await trap?.close();
  await bench?.close();
});
afterEach(() => {
  for (const l of lookups.splice(0)) l.close();
  events = [];
});

const secc = (): OCSPRequestDataType => bench.hashData('iso2/secc');

describe('GetCertificateStatus relay', () => {
  it.each(['iso2', 'iso20-p521', 'iso20-ed448'])('%s SECC certificate: Accepted with a DER OCSPResponse that openssl parses and verifies', async (suite) => {
    const res = await handler()({ ocspRequestData: bench.hashData(`${suite}/secc`) });
    expect(res.status, JSON.stringify(res)).toBe('Accepted');
    expect(res.ocspResult!.length).toBeLessThanOrEqual(MAX_OCSP_RESULT_CHARACTERS);
    const der = Buffer.from(res.ocspResult!, 'base64');
    expect(der.toString('base64')).toBe(res.ocspResult);
    expect(parseOcspResponse(der).status).toBe('successful');
    const files = scratch('pnc-relay-');
    try {
      const respin = files.file('resp.der', der);
      const parsed = await openssl(['ocsp', '-respin', respin, '-resp_text', '-noverify']);
      expect(parsed.code, parsed.stderr).toBe(0);
      expect(parsed.stdout).toContain('OCSP Response Status: successful (0x0)');
      expect(parsed.stdout).toMatch(/Cert Status: good/);
      // And verified the way a station (or EV) would: signer → CPO Sub-CA 2 → Sub-CA 1 → V2G root.
      const verified = await openssl([
        'ocsp', '-respin', respin, '-no_nonce', '-sha256',
        '-issuer', files.file('issuer.pem', pemOf([bench.pki.der(`${suite}/cpo-sub2`)])),
        '-cert', files.file('secc.pem', pemOf([bench.pki.der(`${suite}/secc`)])),
        '-CAfile', files.file('root.pem', pemOf([bench.pki.der(`${suite}/v2g-root`)])),
        '-verify_other', files.file('chain.pem', pemOf([bench.pki.der(`${suite}/cpo-sub2`), bench.pki.der(`${suite}/cpo-sub1`)])),
      ]);
      expect(`${verified.stdout}${verified.stderr}`).toContain('Response verify OK');
      expect(verified.stdout).toMatch(/secc\.pem: good/);
    } finally {
      files.cleanup();
    }
    expect(events).toContainEqual(expect.objectContaining({ kind: 'check', party: 'csms', check: 'ocsp', ok: true, session: 'CS-7/m-1' }));
  });

  it('a second request is answered from the cache', async () => {
    const h = handler();
    const first = await h({ ocspRequestData: secc() });
    const calls = bench.server.calls();
    const second = await h({ ocspRequestData: secc() });
    expect(second).toEqual(first);
    expect(bench.server.calls()).toBe(calls);
  });

  it('garbage from the responder → Failed, nothing relayed', async () => {
    answer = (res) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.from('not DER at all, <script>'));
    const res = await handler()({ ocspRequestData: { ...secc(), responderURL: `${trap.origin}/ocsp` } });
    expect(res.status).toBe('Failed');
    expect(res.ocspResult).toBeUndefined();
    expect(res.statusInfo).toMatchObject({ reasonCode: 'InvalidCertificate' });
    expect(res.statusInfo!.additionalInfo).toMatch(/malformed/);
  });

  it('a real answer about another certificate → Failed (CertID mismatch)', async () => {
    // What our responder says about the MO Sub-CA 2 (a nonce-less request), while the station asked about its SECC.
    const other = encodeOcspRequest([certIdFromRequestData(bench.hashData('iso2/mo-sub2'))]);
    answer = (res) => {
      void fetch(`${bench.server.origin}/ocsp`, { method: 'POST', body: new Uint8Array(other), headers: { 'content-type': 'application/ocsp-request' } })
        .then(async (r) => Buffer.from(await r.arrayBuffer()))
        .then((der) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(der));
    };
    const res = await handler()({ ocspRequestData: { ...secc(), responderURL: `${trap.origin}/ocsp` } });
    expect(res.status).toBe('Failed');
    expect(res.statusInfo!.additionalInfo).toMatch(/certid-mismatch: .*does not answer serial/);
  });

  it('an answer whose base64 exceeds 5500 characters → Failed (TooLargeElement)', async () => {
    const padding = ['iso2/v2g-root', 'iso2/cpo-sub1', 'iso2/mo-root', 'iso2/mo-sub1', 'iso2/oem-root', 'iso2/cps-sub1'].map((id) => bench.pki.der(id));
    answer = (res, body) => {
      void fetch(`${bench.server.origin}/ocsp`, { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': 'application/ocsp-request' } })
        .then(async (r) => Buffer.from(await r.arrayBuffer()))
        .then((der) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(paddedResponse(der, [...padding, ...padding])));
    };
    const res = await handler()({ ocspRequestData: { ...secc(), responderURL: `${trap.origin}/ocsp` } });
    expect(res.status, JSON.stringify(res)).toBe('Failed');
    expect(res.statusInfo).toMatchObject({ reasonCode: 'TooLargeElement' });
  });

  it('a responder URL the policy refuses → Failed (InvalidURL), no connection', async () => {
    const before = trap.connections();
    const res = await handler({ allowPrivate: false })({ ocspRequestData: { ...secc(), responderURL: `${trap.origin}/ocsp` } });
    expect(res).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'InvalidURL' } });
    expect(res.statusInfo!.additionalInfo).toMatch(/loopback/);
    const meta = await handler()({ ocspRequestData: { ...secc(), responderURL: 'http://169.254.169.254/latest/meta-data/' } });
    expect(meta).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'InvalidURL' } });
    expect(trap.connections()).toBe(before);
  });

  it('an issuer the CSMS does not know → Failed (NotFound), nothing fetched', async () => {
    const calls = bench.server.calls();
    const res = await handler({ issuers: new KnownIssuers() })({ ocspRequestData: secc() });
    expect(res).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'NotFound' } });
    expect(bench.server.calls()).toBe(calls);
  });

  it.each([
    ['bad hex', { issuerNameHash: 'xyz' }, /issuerNameHash must be 64 hex digits/],
    ['long serial', { serialNumber: 'f'.repeat(41) }, /serialNumber/],
    ['long URL', { responderURL: `http://x/${'a'.repeat(600)}` }, /responderURL has/],
  ])('malformed ocspRequestData (%s) → Failed (InvalidValue)', async (_name, change, detail) => {
    const res = await handler()({ ocspRequestData: { ...secc(), ...change } });
    expect(res).toMatchObject({ status: 'Failed', statusInfo: { reasonCode: 'InvalidValue' } });
    expect(res.statusInfo!.additionalInfo).toMatch(detail);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'check', check: 'ocsp', ok: false }));
  });

  it('responder error status → Failed', async () => {
    answer = (res) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.from('30030a0103', 'hex'));
    const res = await handler()({ ocspRequestData: { ...secc(), responderURL: `${trap.origin}/ocsp` } });
    expect(res.status).toBe('Failed');
    expect(res.statusInfo!.additionalInfo).toMatch(/tryLater/);
  });
});
