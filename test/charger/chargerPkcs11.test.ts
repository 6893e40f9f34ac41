// The charger with its SECC key in a PKCS#11 token (SoftHSM2): the store holds only the key's URI, the TLS server
// signs its handshakes on the token, and a SECC renewal generates the new key on the token and has it sign the CSR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPkcs11Token } from '../../src/charger/keys/pkcs11Token.js';
import { parseCertificationRequestPem } from '../../src/pki/certificate/certificationRequest.js';
import { cert } from '../helpers/fixtures.js';
import { createSoftHsm, softHsmAvailability, type SoftHsm } from '../helpers/softhsm.js';
import { cpoSignedSeccLeaf, seccChainPem, startStationTestbed, STATION_ID, type StationTestbed } from '../helpers/stationTestbed.js';

const availability = softHsmAvailability();
const sub2 = cert('iso2/cpo-sub2');

describe.skipIf(!availability.available)(`SECC key in a PKCS#11 token${availability.available ? '' : ` (skipped: ${availability.reason})`}`, () => {
  let hsm: SoftHsm;
  let bed: StationTestbed;
  let keyUri: string;

  beforeAll(async () => {
    hsm = createSoftHsm(['pnc-secc']);
    const { label, pin } = hsm.tokens[0]!;
    const token = await openPkcs11Token({ modulePath: hsm.modulePath, pin, token: { label } });
    const pair = token.generateKeyPair({ keyType: 'P-256', label: 'secc-iso2' });
    token.close();
    keyUri = `pkcs11:token=${label};object=secc-iso2;type=private`;
    bed = await startStationTestbed({
      secc: { chain: [cpoSignedSeccLeaf(pair.publicKey), sub2.der, cert('iso2/cpo-sub1').der], key: keyUri },
      pkcs11: { defaults: { modulePath: hsm.modulePath, pin }, renewalToken: `pkcs11:token=${label}` },
    });
    await bed.csms.waitFor(STATION_ID, 'StatusNotification');
  });
  afterAll(async () => {
    await bed?.close();
    hsm?.cleanup();
  });

  it('a whole -2 PnC session over TLS 1.2 whose server key is on the token; the store holds the URI, no key', async () => {
    const r = await bed.ev();
    expect(r.outcome).toBe('OK');
    expect(r.tls?.version).toBe('TLSv1.2');
    const stored = await bed.store.seccCredential('iso2');
    expect(stored!.key).toBe(keyUri);
  });

  it('renewal: the CSR is signed on the token, CertificateSigned switches TLS to the new token key', async () => {
    expect(await bed.csms.call(STATION_ID, 'TriggerMessage', { requestedMessage: 'SignV2GCertificate' })).toEqual({ status: 'Accepted' });
    const sign = await bed.csms.waitFor(STATION_ID, 'SignCertificate');
    const csr = parseCertificationRequestPem(sign.payload.csr);
    const leaf = cpoSignedSeccLeaf(csr.publicKey);
    const chain = seccChainPem(leaf);
    expect(await bed.csms.call(STATION_ID, 'CertificateSigned', { certificateChain: chain, certificateType: 'V2GCertificate' })).toEqual({ status: 'Accepted' });
    const stored = await bed.store.seccCredential('iso2');
    expect(stored!.key).toMatch(/^pkcs11:token=pnc-secc;.*object=secc-iso2-\d+/);
    expect(stored!.key).not.toMatch(/pin/);
    expect(stored!.chain[0]!.equals(leaf)).toBe(true);
    const r = await bed.ev();
    expect(r.outcome).toBe('OK');
  });
});
