// -2 CertificateInstallation at the SECC: the OEM provisioning signature is checked, then the request's EXI goes to the
// decision port (the charger forwards it over OCPP Get15118EVCertificate) and its answer is sent back verbatim.
import { describe, expect, it } from 'vitest';
import { iso2 } from '../../src/exi/index.js';
import { testEvse } from '../../src/iso15118/session/evseModel.js';
import { Iso2SeccSession } from '../../src/iso15118/session/iso2/iso2SeccSession.js';
import type { SeccDecisionPort } from '../../src/iso15118/session/seccDecisionPort.js';
import { SessionTrace } from '../../src/iso15118/session/sessionTrace.js';
import { standaloneDecisionPort } from '../../src/iso15118/session/standaloneDecisionPort.js';
import { createSignature, ISO2_P256 } from '../../src/iso15118/xmldsig/index.js';
import { silentTracer } from '../../src/trace/tracer.js';
import { cert, chargerTrust, contractOf, NOW } from '../helpers/fixtures.js';

const oem = cert('iso2/oem-prov');
const CANNED = Uint8Array.from([0x80, 0x98, 0x02, 0x10, 0x20]);

async function sessionAtPaymentDetails(port: SeccDecisionPort): Promise<{ s: Iso2SeccSession; id: Uint8Array }> {
  const s = new Iso2SeccSession({ port, evse: testEvse(), contractTrust: chargerTrust('iso2'), secure: true, clock: () => NOW, trace: new SessionTrace(silentTracer('charger'), 'ev') });
  const setup = await s.handle({ Header: { SessionID: new Uint8Array(8) }, Body: { SessionSetupReq: { EVCCID: new Uint8Array(6) } } });
  const id = setup.response.Header.SessionID;
  await s.handle({ Header: { SessionID: id }, Body: { ServiceDiscoveryReq: {} } });
  const sel = await s.handle({ Header: { SessionID: id }, Body: { PaymentServiceSelectionReq: { SelectedPaymentOption: 'Contract', SelectedServiceList: { SelectedService: [{ ServiceID: 1 }] } } } });
  expect(sel.response.Body.PaymentServiceSelectionRes?.ResponseCode).toBe('OK');
  return { s, id };
}

function installationRequest(id: Uint8Array, signWith = oem.key.privateKey): { message: iso2.V2G_Message; raw: Uint8Array } {
  const req: iso2.CertificateInstallationReqType = {
    Id: 'ID1',
    OEMProvisioningCert: oem.der,
    ListOfRootCertificateIDs: { RootCertificateID: [{ X509IssuerName: 'CN=pnc-stack MO Root CA', X509SerialNumber: 1n }] },
  };
  const signature = createSignature([{ CertificateInstallationReq: req }], signWith, { schema: 'iso2', suite: ISO2_P256 });
  const message: iso2.V2G_Message = { Header: { SessionID: id, Signature: signature }, Body: { CertificateInstallationReq: req } };
  return { message, raw: Uint8Array.from(iso2.encodeIso2({ V2G_Message: message })) };
}

describe('-2 CertificateInstallation', () => {
  it('a signed request is forwarded as EXI and the backend’s answer goes back verbatim', async () => {
    let forwarded: Uint8Array | undefined;
    const { s, id } = await sessionAtPaymentDetails({ ...standaloneDecisionPort(), installCertificate: (_ctx, exi) => ((forwarded = exi), Promise.resolve(CANNED)) });
    const { message, raw } = installationRequest(id);
    const r = await s.handle(message, raw);
    expect(forwarded).toEqual(raw);
    expect(r.raw).toEqual(CANNED);
    expect(r.end).toBe(false);
  });

  it('a request not signed by the OEM provisioning key → FAILED_SignatureError, nothing forwarded', async () => {
    let calls = 0;
    const { s, id } = await sessionAtPaymentDetails({ ...standaloneDecisionPort(), installCertificate: () => (calls++, Promise.resolve(CANNED)) });
    const { message, raw } = installationRequest(id, contractOf('iso2').key.privateKey);
    const r = await s.handle(message, raw);
    expect(r.response.Body.CertificateInstallationRes?.ResponseCode).toBe('FAILED_SignatureError');
    expect(r.end).toBe(true);
    expect(calls).toBe(0);
  });

  it.each([
    ['no installation service', standaloneDecisionPort()],
    ['the backend has no contract', { ...standaloneDecisionPort(), installCertificate: () => Promise.resolve(undefined) }],
  ])('%s → FAILED_NoCertificateAvailable', async (_n, port) => {
    const { s, id } = await sessionAtPaymentDetails(port);
    const { message, raw } = installationRequest(id);
    const r = await s.handle(message, raw);
    expect(r.response.Body.CertificateInstallationRes?.ResponseCode).toBe('FAILED_NoCertificateAvailable');
    expect(r.end).toBe(true);
  });
});
