// Offline policy: PnC without the CSMS, EIM without the CSMS, and what a later CSMS verdict changes.
import { describe, expect, it } from 'vitest';
import { contractFingerprint, InvalidFingerprintError, normaliseFingerprint } from '../../src/charger/offline/contractFingerprint.js';
import { decideOfflineContract, type OfflineContractRefusal } from '../../src/charger/offline/offlineContractDecision.js';
import { decideOfflineIdToken, LocalListEntryMismatchError, type OfflineIdTokenSettings } from '../../src/charger/offline/offlineIdTokenDecision.js';
import { reconcile, type ReconciliationSettings, type TransactionAction } from '../../src/charger/offline/reconciliation.js';
import type { LocalListEntry } from '../../src/charger/store/chargerStateStore.js';
import type { AuthorizationStatusEnumType, AuthorizeCertificateStatusEnumType, IdTokenInfoType, IdTokenType } from '../../src/ocpp/generated/ocpp201.js';

// SHA-256("abc"), FIPS 180-2 appendix B.1.
const ABC_SHA256 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const FP = 'a'.repeat(64);

describe('contract fingerprint', () => {
  it('is the SHA-256 of the leaf DER in lower-case hex', () => {
    expect(contractFingerprint(Buffer.from('abc'))).toBe(ABC_SHA256);
  });
  it('refuses an empty leaf', () => {
    expect(() => contractFingerprint(new Uint8Array())).toThrow(InvalidFingerprintError);
  });
  it.each([
    [ABC_SHA256.toUpperCase(), ABC_SHA256],
    [ABC_SHA256, ABC_SHA256],
  ])('normalises %s', (raw, expected) => {
    expect(normaliseFingerprint(raw)).toBe(expected);
  });
  it.each(['', 'abc', `${ABC_SHA256}00`, ABC_SHA256.slice(2), `${ABC_SHA256.slice(0, 63)}g`, ` ${ABC_SHA256.slice(1)}`, 'ba:78:16'])('refuses %j', (raw) => {
    expect(() => normaliseFingerprint(raw)).toThrow(InvalidFingerprintError);
  });
});

describe('offline contract (PnC) decision', () => {
  const rows: [contractValidationOffline: boolean, verdictValid: boolean, blockListed: boolean, refusal: OfflineContractRefusal | undefined][] = [
    [true, true, false, undefined],
    [true, true, true, 'blockListed'],
    [true, false, false, 'localVerdictInvalid'],
    [true, false, true, 'localVerdictInvalid'],
    [false, true, false, 'contractValidationOfflineDisabled'],
    [false, true, true, 'contractValidationOfflineDisabled'],
    [false, false, false, 'contractValidationOfflineDisabled'],
    [false, false, true, 'contractValidationOfflineDisabled'],
  ];
  it.each(rows)('ContractValidationOffline %s, verdict valid %s, block-listed %s → %s', (cvo, valid, blockListed, refusal) => {
    const d = decideOfflineContract({ contractValidationOffline: cvo, verdict: valid ? { valid } : { valid, failure: 'expired' }, fingerprint: FP, blockListed });
    if (refusal === undefined) {
      expect(d).toEqual({ allowed: true, fingerprint: FP });
    } else {
      expect(d).toMatchObject({ allowed: false, reason: refusal, fallback: 'eim' });
      expect(d.allowed === false && d.detail).toMatch(/CSMS unreachable/);
    }
  });

  it('names the verdict failure', () => {
    const d = decideOfflineContract({ contractValidationOffline: true, verdict: { valid: false, failure: 'expired' }, fingerprint: FP, blockListed: false });
    expect(d.allowed === false && d.detail).toMatch(/expired/);
  });

  it('hands back the fingerprint in stored form', () => {
    expect(decideOfflineContract({ contractValidationOffline: true, verdict: { valid: true }, fingerprint: ABC_SHA256.toUpperCase(), blockListed: false })).toEqual({ allowed: true, fingerprint: ABC_SHA256 });
  });

  it('refuses to decide on a malformed fingerprint', () => {
    expect(() => decideOfflineContract({ contractValidationOffline: true, verdict: { valid: true }, fingerprint: 'not-a-hash', blockListed: false })).toThrow(InvalidFingerprintError);
  });
});

describe('offline idToken (EIM) decision', () => {
  const NOW = Date.parse('2025-06-01T12:00:00Z');
  const card = (idToken = '04A1B2C3D4', type: IdTokenType['type'] = 'ISO14443'): IdTokenType => ({ idToken, type });
  const entry = (info: IdTokenInfoType, token = card()): LocalListEntry => ({ idToken: token, idTokenInfo: info });
  const S = (localAuthorizeOffline: boolean, offlineTxForUnknownIdEnabled: boolean, localAuthListEnabled = true): OfflineIdTokenSettings => ({ localAuthorizeOffline, offlineTxForUnknownIdEnabled, localAuthListEnabled });

  interface Row {
    readonly label: string;
    readonly settings: OfflineIdTokenSettings;
    readonly entry?: LocalListEntry;
    readonly presented?: IdTokenType;
    readonly evseId?: number;
    readonly expect: { accepted: true; source: 'localList' | 'unknownIdAllowed' } | { accepted: false; status: AuthorizationStatusEnumType };
  }
  const rows: Row[] = [
    { label: 'listed Accepted', settings: S(true, false), entry: entry({ status: 'Accepted' }), expect: { accepted: true, source: 'localList' } },
    { label: 'listed Accepted, expiry in the future', settings: S(true, false), entry: entry({ status: 'Accepted', cacheExpiryDateTime: '2025-06-01T12:00:01Z' }), expect: { accepted: true, source: 'localList' } },
    { label: 'listed Accepted, expiry exactly now (still valid)', settings: S(true, false), entry: entry({ status: 'Accepted', cacheExpiryDateTime: '2025-06-01T12:00:00Z' }), expect: { accepted: true, source: 'localList' } },
    { label: 'listed Accepted, expiry exactly now in another offset', settings: S(true, false), entry: entry({ status: 'Accepted', cacheExpiryDateTime: '2025-06-01T14:00:00+02:00' }), expect: { accepted: true, source: 'localList' } },
    { label: 'listed Accepted, expired 1 ms ago', settings: S(true, false), entry: entry({ status: 'Accepted', cacheExpiryDateTime: '2025-06-01T11:59:59.999Z' }), expect: { accepted: false, status: 'Expired' } },
    { label: 'expired entry is not rescued by OfflineTxForUnknownIdEnabled', settings: S(true, true), entry: entry({ status: 'Accepted', cacheExpiryDateTime: '2025-05-01T00:00:00Z' }), expect: { accepted: false, status: 'Expired' } },
    { label: 'unreadable expiry', settings: S(true, true), entry: entry({ status: 'Accepted', cacheExpiryDateTime: 'next week' }), expect: { accepted: false, status: 'Invalid' } },
    { label: 'listed Blocked', settings: S(true, false), entry: entry({ status: 'Blocked' }), expect: { accepted: false, status: 'Blocked' } },
    { label: 'listed Blocked, unknown ids allowed', settings: S(true, true), entry: entry({ status: 'Blocked' }), expect: { accepted: false, status: 'Blocked' } },
    { label: 'listed Invalid and expired: the status speaks', settings: S(true, true), entry: entry({ status: 'Invalid', cacheExpiryDateTime: '2020-01-01T00:00:00Z' }), expect: { accepted: false, status: 'Invalid' } },
    { label: 'listed NoCredit', settings: S(true, true), entry: entry({ status: 'NoCredit' }), expect: { accepted: false, status: 'NoCredit' } },
    { label: 'listed Blocked, LocalAuthorizeOffline false', settings: S(false, true), entry: entry({ status: 'Blocked' }), expect: { accepted: false, status: 'Blocked' } },
    { label: 'listed Accepted, LocalAuthorizeOffline false, unknown ids refused', settings: S(false, false), entry: entry({ status: 'Accepted' }), expect: { accepted: false, status: 'Unknown' } },
    { label: 'listed Accepted, LocalAuthorizeOffline false, unknown ids allowed', settings: S(false, true), entry: entry({ status: 'Accepted' }), expect: { accepted: true, source: 'unknownIdAllowed' } },
    { label: 'unknown id, allowed', settings: S(true, true), expect: { accepted: true, source: 'unknownIdAllowed' } },
    { label: 'unknown id, refused', settings: S(true, false), expect: { accepted: false, status: 'Unknown' } },
    { label: 'list disabled: a listed Accepted token is unknown', settings: S(true, false, false), entry: entry({ status: 'Accepted' }), expect: { accepted: false, status: 'Unknown' } },
    { label: 'list disabled: a listed Blocked token is unknown', settings: S(true, true, false), entry: entry({ status: 'Blocked' }), expect: { accepted: true, source: 'unknownIdAllowed' } },
    { label: 'list disabled, nothing listed, unknown ids allowed', settings: S(true, true, false), expect: { accepted: true, source: 'unknownIdAllowed' } },
    { label: 'list disabled, nothing listed, unknown ids refused', settings: S(true, false, false), expect: { accepted: false, status: 'Unknown' } },
    { label: 'case-insensitive token match', settings: S(true, false), entry: entry({ status: 'Accepted' }, card('04A1B2C3D4')), presented: card('04a1b2c3d4'), expect: { accepted: true, source: 'localList' } },
    { label: 'entry limited to this EVSE', settings: S(true, false), entry: entry({ status: 'Accepted', evseId: [1, 2] }), evseId: 2, expect: { accepted: true, source: 'localList' } },
    { label: 'entry limited to another EVSE', settings: S(true, true), entry: entry({ status: 'Accepted', evseId: [1] }), evseId: 2, expect: { accepted: false, status: 'NotAtThisLocation' } },
    { label: 'entry limited to an EVSE, EVSE not known yet', settings: S(true, false), entry: entry({ status: 'Accepted', evseId: [1] }), expect: { accepted: true, source: 'localList' } },
  ];

  it.each(rows)('$label', (r) => {
    const d = decideOfflineIdToken({
      idToken: r.presented ?? card(),
      now: NOW,
      settings: r.settings,
      ...(r.entry ? { entry: r.entry } : {}),
      ...(r.evseId !== undefined ? { evseId: r.evseId } : {}),
    });
    expect(d).toMatchObject(r.expect);
    if (d.accepted) expect(d.idTokenInfo.status).toBe('Accepted');
    else expect(d.reason.length).toBeGreaterThan(0);
  });

  it('passes the list entry’s idTokenInfo on', () => {
    const info: IdTokenInfoType = { status: 'Accepted', language1: 'nl', groupIdToken: card('FLEET', 'Central') };
    expect(decideOfflineIdToken({ idToken: card(), entry: entry(info), now: NOW, settings: S(true, false) })).toEqual({ accepted: true, source: 'localList', idTokenInfo: info });
  });

  it.each([
    [card('04A1B2C3D5'), 'another token'],
    [card('04A1B2C3D4', 'ISO15693'), 'same token, another type'],
  ])('an entry for %j (%s) is a caller error', (presented) => {
    expect(() => decideOfflineIdToken({ idToken: presented, entry: entry({ status: 'Accepted' }), now: NOW, settings: S(true, false) })).toThrow(LocalListEntryMismatchError);
  });
});

describe('reconciliation with the CSMS verdict', () => {
  const STOP: ReconciliationSettings = { stopTxOnInvalidId: true };
  const stop: TransactionAction = { kind: 'stop', stoppedReason: 'DeAuthorized', triggerReason: 'Deauthorized' };
  const none: TransactionAction = { kind: 'none' };

  type Row = [
    label: string,
    status: AuthorizationStatusEnumType | undefined,
    certificateStatus: AuthorizeCertificateStatusEnumType | undefined,
    fingerprint: string | undefined,
    ongoing: boolean,
    settings: ReconciliationSettings,
    blocked: boolean,
    judged: boolean,
    action: TransactionAction,
  ];
  const rows: Row[] = [
    ['Accepted', 'Accepted', undefined, FP, true, STOP, false, true, none],
    ['Accepted with certificate Accepted', 'Accepted', 'Accepted', FP, true, STOP, false, true, none],
    ['Blocked', 'Blocked', undefined, FP, true, STOP, true, true, stop],
    ['Expired', 'Expired', undefined, FP, true, STOP, true, true, stop],
    ['Invalid', 'Invalid', undefined, FP, true, STOP, true, true, stop],
    ['Unknown: stop, no block', 'Unknown', undefined, FP, true, STOP, false, true, stop],
    ['NoCredit: stop, no block', 'NoCredit', undefined, FP, true, STOP, false, true, stop],
    ['ConcurrentTx: stop, no block', 'ConcurrentTx', undefined, FP, true, STOP, false, true, stop],
    ['NotAtThisTime: stop, no block', 'NotAtThisTime', undefined, FP, true, STOP, false, true, stop],
    ['NotAtThisLocation: stop, no block', 'NotAtThisLocation', undefined, FP, true, STOP, false, true, stop],
    ['NotAllowedTypeEVSE: stop, no block', 'NotAllowedTypeEVSE', undefined, FP, true, STOP, false, true, stop],
    ['C07.FR.13 ContractCancelled + Unknown', 'Unknown', 'ContractCancelled', FP, true, STOP, true, true, stop],
    ['C07.FR.13 ContractCancelled + Blocked', 'Blocked', 'ContractCancelled', FP, true, STOP, true, true, stop],
    ['C07.FR.15 CertificateExpired + Expired', 'Expired', 'CertificateExpired', FP, true, STOP, true, true, stop],
    ['C07.FR.16 CertificateRevoked + Invalid', 'Invalid', 'CertificateRevoked', FP, true, STOP, true, true, stop],
    // Not blocked: "could not be verified" may be the CSMS's OCSP responder being down; the block-list is one-way.
    ['C07.FR.17 CertChainError + Invalid', 'Invalid', 'CertChainError', FP, true, STOP, false, true, stop],
    ['CertChainError with Accepted: the chain decides, no block', 'Accepted', 'CertChainError', FP, true, STOP, false, true, stop],
    ['ContractCancelled with Accepted: blocks', 'Accepted', 'ContractCancelled', FP, true, STOP, true, true, stop],
    ['CertificateRevoked with Accepted: blocks', 'Accepted', 'CertificateRevoked', FP, true, STOP, true, true, stop],
    ['SignatureError (not used) does not block', 'Accepted', 'SignatureError', FP, true, STOP, false, true, stop],
    ['NoCertificateAvailable (not used) does not block', 'Accepted', 'NoCertificateAvailable', FP, true, STOP, false, true, stop],
    ['EIM transaction: nothing to block', 'Blocked', undefined, undefined, true, STOP, false, false, stop],
    ['offline transaction already ended: block only', 'Blocked', undefined, FP, false, STOP, true, true, none],
    ['offline transaction already ended, accepted', 'Accepted', undefined, FP, false, STOP, false, true, none],
    ['StopTxOnInvalidId false with a cap', 'Invalid', undefined, FP, true, { stopTxOnInvalidId: false, maxEnergyOnInvalidIdWh: 5000 }, true, true, { kind: 'capEnergy', maxEnergyWh: 5000, triggerReason: 'Deauthorized' }],
    ['StopTxOnInvalidId false with a cap of 0', 'NoCredit', undefined, undefined, true, { stopTxOnInvalidId: false, maxEnergyOnInvalidIdWh: 0 }, false, false, { kind: 'capEnergy', maxEnergyWh: 0, triggerReason: 'Deauthorized' }],
    ['StopTxOnInvalidId false without a cap', 'Blocked', undefined, FP, true, { stopTxOnInvalidId: false }, true, true, { kind: 'suspendEnergy', triggerReason: 'Deauthorized' }],
    ['StopTxOnInvalidId true ignores the cap', 'Blocked', undefined, FP, true, { stopTxOnInvalidId: true, maxEnergyOnInvalidIdWh: 5000 }, true, true, stop],
    ['Accepted, StopTxOnInvalidId false', 'Accepted', undefined, FP, true, { stopTxOnInvalidId: false, maxEnergyOnInvalidIdWh: 5000 }, false, true, none],
    ['no idTokenInfo: nothing judged', undefined, undefined, FP, true, STOP, false, false, none],
  ];

  it.each(rows)('%s', (_label, status, certificateStatus, fingerprint, ongoing, settings, blocked, judged, action) => {
    const r = reconcile({
      judgement: { ...(status ? { idTokenInfo: { status } } : {}), ...(certificateStatus ? { certificateStatus } : {}) },
      ...(fingerprint !== undefined ? { contractFingerprint: fingerprint } : {}),
      transactionOngoing: ongoing,
      settings,
    });
    expect(r.block !== undefined).toBe(blocked);
    if (r.block) expect(r.block.fingerprint).toBe(fingerprint);
    expect(r.contractJudged).toBe(judged);
    expect(r.transaction).toEqual(action);
  });

  it('the block reason names what the CSMS answered', () => {
    const r = reconcile({ judgement: { idTokenInfo: { status: 'Invalid' }, certificateStatus: 'CertificateRevoked' }, contractFingerprint: FP, transactionOngoing: false, settings: STOP });
    expect(r.block?.reason).toBe('CSMS answered idTokenInfo.status Invalid, certificateStatus CertificateRevoked');
  });

  it('blocks the fingerprint in stored form', () => {
    const r = reconcile({ judgement: { idTokenInfo: { status: 'Blocked' } }, contractFingerprint: ABC_SHA256.toUpperCase(), transactionOngoing: true, settings: STOP });
    expect(r.block?.fingerprint).toBe(ABC_SHA256);
  });

  it('refuses a malformed fingerprint rather than block nothing', () => {
    expect(() => reconcile({ judgement: { idTokenInfo: { status: 'Blocked' } }, contractFingerprint: 'zz', transactionOngoing: true, settings: STOP })).toThrow(InvalidFingerprintError);
  });
});
