// Contract authorization at the charger against a real OCPP 2.0.1 server (ocpp-rpc strict mode): what goes into
// Authorize for each local verdict, how the answer reads for the EV, the offline rules. Whole sessions EV → SECC →
// charger → CSMS: chargingStation.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeContract, CsmsUnavailable, type ContractSettings } from '../../src/charger/contractAuthorization.js';
import { ocppAuthorizer } from '../../src/charger/ocppAuthorizer.js';
import { decodePemCertificates } from '../../src/pki/certificate/pem.js';
import { chainVerdict } from '../../src/pki/verdict/chainVerdict.js';
import { cert, chargerTrust, contractOf, NOW } from '../helpers/fixtures.js';
import { startScriptedCsms, type ScriptedCsms } from '../helpers/scriptedCsms.js';
import type { OcppPeer } from '../../src/ocpp/ocppPeer.js';
import { trustOf } from '../helpers/tlsTestbed.js';

const contract = contractOf('iso2');
const emaid = contract.cert.subject.commonName!;
const chain = [contract.der, cert('iso2/mo-sub2').der, cert('iso2/mo-sub1').der];
const verdictWith = (trust = chargerTrust('iso2'), at = NOW) => chainVerdict({ leaf: chain[0]!, subCAs: chain.slice(1), trustStore: trust, protocol: 'iso2', role: 'contract', at, expectedEmaid: emaid });
const ONLINE: ContractSettings = { centralContractValidationAllowed: false, contractValidationOffline: false };

let csms: ScriptedCsms;
let station: { peer: OcppPeer; close(): Promise<void> };
beforeAll(async () => {
  csms = await startScriptedCsms();
  station = await csms.connectStation('CS-PNC-1');
});
afterAll(async () => {
  await station.close();
  await csms.close();
});

/** `connected: false`: the station has no CSMS connection. */
function run(settings: ContractSettings, verdict = verdictWith(), connected = true) {
  const steps: string[] = [];
  return authorizeContract({ emaid, chain, verdict, settings }, { authorize: ocppAuthorizer(() => (connected ? station.peer : undefined), 2000), step: (c, ok, d) => steps.push(`${c} ${ok} ${d}`) }).then((r) => ({ ...r, steps }));
}

describe('what the charger sends in Authorize', () => {
  it('a valid local verdict: the eMAID and the OCSP hash data of leaf and sub-CAs, never the chain', async () => {
    csms.answer = () => ({ idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' });
    const before = csms.authorizeRequests.length;
    const r = await run(ONLINE);
    expect(r).toMatchObject({ decision: { status: 'accepted' }, sent: 'hash-data', offline: false });
    const req = csms.authorizeRequests[before]!;
    expect(req.idToken).toEqual({ idToken: emaid, type: 'eMAID' });
    expect(req.certificate).toBeUndefined();
    expect(req.iso15118CertificateHashData).toHaveLength(3);
    const leafData = req.iso15118CertificateHashData![0]!;
    expect(leafData.hashAlgorithm).toBe('SHA256');
    // Hex without leading zeroes (OCPP errata), here the contract leaf's serial.
    expect(leafData.serialNumber.toLowerCase()).toBe(contract.cert.serialHex.toLowerCase().replace(/^0+/, ''));
    expect(req.iso15118CertificateHashData!.every((d) => /^[0-9a-f]{64}$/i.test(d.issuerNameHash) && d.responderURL.startsWith('http'))).toBe(true);
  });

  it('no installed root issued the chain and CentralContractValidationAllowed: the PEM chain (C07.FR.06)', async () => {
    const before = csms.authorizeRequests.length;
    const r = await run({ ...ONLINE, centralContractValidationAllowed: true }, verdictWith(trustOf(['iso2/v2g-root'])));
    expect(r.sent).toBe('certificate');
    const req = csms.authorizeRequests[before]!;
    expect(req.iso15118CertificateHashData).toBeUndefined();
    expect(decodePemCertificates(req.certificate!)).toEqual(chain);
  });

  it('no installed root and central validation not allowed: refused, nothing sent', async () => {
    const before = csms.authorizeRequests.length;
    const r = await run(ONLINE, verdictWith(trustOf(['iso2/v2g-root'])));
    expect(r).toMatchObject({ sent: 'nothing', decision: { status: 'rejected', iso2Code: 'FAILED_CertificateNotAllowedAtThisEVSE' } });
    expect(csms.authorizeRequests.length).toBe(before);
  });

  it('an expired chain is refused locally, even with central validation allowed', async () => {
    const r = await run({ ...ONLINE, centralContractValidationAllowed: true }, verdictWith(chargerTrust('iso2'), NOW + 800 * 86_400_000));
    expect(r).toMatchObject({ sent: 'nothing', decision: { status: 'rejected', iso2Code: 'FAILED_CertificateExpired', iso20Code: 'WARNING_CertificateExpired' } });
  });
});

describe('the CSMS answer and the offline rules', () => {
  it('revoked at the CSMS → FAILED_CertificateRevoked / WARNING_CertificateRevoked', async () => {
    csms.answer = () => ({ idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertificateRevoked' });
    const r = await run(ONLINE);
    expect(r.decision).toMatchObject({ status: 'rejected', iso2Code: 'FAILED_CertificateRevoked', iso20Code: 'WARNING_CertificateRevoked' });
  });

  it.each([
    [true, 'accepted'],
    [false, 'rejected'],
  ] as const)('CSMS unavailable, ContractValidationOffline %s → %s', async (offline, status) => {
    const r = await run({ ...ONLINE, contractValidationOffline: offline }, verdictWith(), false);
    expect(r).toMatchObject({ offline: true, decision: { status } });
  });

  it('a CSMS that does not answer in time counts as unavailable', async () => {
    csms.answer = () => new Promise(() => undefined);
    const authorize = ocppAuthorizer(() => station.peer, 150);
    await expect(authorize({ idToken: { idToken: emaid, type: 'eMAID' } })).rejects.toBeInstanceOf(CsmsUnavailable);
  });

  it('steps name the eMAID only masked', async () => {
    csms.answer = () => ({ idTokenInfo: { status: 'Accepted' }, certificateStatus: 'Accepted' });
    const r = await run(ONLINE);
    expect(r.steps.join('\n')).not.toContain(emaid);
    expect(r.steps.join('\n')).toContain(`${emaid.slice(0, 5)}*`);
  });
});
