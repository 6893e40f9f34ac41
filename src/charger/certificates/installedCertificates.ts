// InstallCertificate (M05), GetInstalledCertificateIds (M03) and DeleteCertificate (M04) as pure decisions over what
// the charger holds: the installed roots (ChargerStateStore.listCertificates) and its SECC chains. The caller applies a
// decision to the store; nothing here does IO.
import type {
  CertificateHashDataChainType,
  DeleteCertificateRequest,
  DeleteCertificateResponse,
  GetCertificateIdUseEnumType,
  GetInstalledCertificateIdsRequest,
  GetInstalledCertificateIdsResponse,
  HashAlgorithmEnumType,
  InstallCertificateRequest,
  InstallCertificateResponse,
  InstallCertificateUseEnumType,
} from '../../ocpp/generated/ocpp201.js';
import { CertificateParseError, hasKeyUsage, parseCertificate, type Certificate } from '../../pki/certificate/certificate.js';
import { PemError, decodePem } from '../../pki/certificate/pem.js';
import { UNDERSTOOD_EXTENSIONS } from '../../pki/oids.js';
import { PROTOCOL_PROFILES } from '../../pki/profile/protocolProfile.js';
import type { InstalledCertificate, SeccCredentialRecord, TlsSuiteName } from '../store/chargerStateStore.js';
import { certificateHashData, findIssuer, hashDataMatches } from './certificateHashData.js';

// ---------------------------------------------------------------------------------------------------------------
// Inventory: everything parsed once.

export interface InventoryRoot {
  readonly id: number;
  readonly use: InstallCertificateUseEnumType;
  readonly cert: Certificate;
}

export interface InventorySeccChain {
  readonly suite: TlsSuiteName;
  /** Leaf first, then its sub-CAs. */
  readonly certs: readonly Certificate[];
}

export interface CertificateInventory {
  /** Rows in the store, readable or not (what the store's capacity counts). */
  readonly installedCount: number;
  readonly roots: readonly InventoryRoot[];
  readonly seccChains: readonly InventorySeccChain[];
  /** Stored certificates that do not parse: neither listed nor deletable by hash; the caller logs them. */
  readonly unreadable: readonly { readonly source: string; readonly reason: string }[];
}

export function readInventory(
  installed: readonly InstalledCertificate[],
  seccChains: readonly Pick<SeccCredentialRecord, 'suite' | 'chain'>[],
): CertificateInventory {
  const unreadable: { source: string; reason: string }[] = [];
  const parse = (der: Buffer, source: string): Certificate | undefined => {
    try {
      return parseCertificate(der);
    } catch (e) {
      if (!(e instanceof CertificateParseError)) throw e;
      unreadable.push({ source, reason: e.message });
      return undefined;
    }
  };
  const roots: InventoryRoot[] = [];
  for (const row of installed) {
    const cert = parse(row.der, `installed certificate #${row.id} (${row.use})`);
    if (cert) roots.push({ id: row.id, use: row.use, cert });
  }
  const chains: InventorySeccChain[] = [];
  for (const c of seccChains) {
    const certs = c.chain.map((der, i) => parse(der, `SECC chain ${c.suite} #${i}`));
    if (certs.length > 0 && certs.every((x) => x !== undefined)) chains.push({ suite: c.suite, certs });
  }
  return { installedCount: installed.length, roots, seccChains: chains, unreadable };
}

// ---------------------------------------------------------------------------------------------------------------
// InstallCertificate

/** InstallCertificateRequest.certificate maxLength in the official schema. */
export const MAX_INSTALL_PEM_CHARS = 5500;
/** V2G and MO roots are ISO 15118 certificates: at most the -20 certificate size (-2 allows 800 bytes). */
export const MAX_ISO15118_ROOT_BYTES = PROTOCOL_PROFILES.iso20.maxCertificateBytes;

const ISO15118_USES: ReadonlySet<InstallCertificateUseEnumType> = new Set(['V2GRootCertificate', 'MORootCertificate']);
const ISO15118_ALGORITHMS = [...PROTOCOL_PROFILES.iso2.algorithms, ...PROTOCOL_PROFILES.iso20.algorithms];

export interface InstallLimits {
  /** How many certificates the store holds at most; a full store answers Failed. */
  readonly maxEntries: number;
  /** Now (epoch ms): an expired root is refused. */
  readonly at: number;
}

export type InstallRejection =
  | 'tooLarge'
  | 'pem'
  | 'notOneCertificate'
  | 'parse'
  | 'notCa'
  | 'notSelfSigned'
  | 'expired'
  | 'algorithm'
  | 'criticalExtension';

export type InstallCertificateDecision =
  | { readonly outcome: 'install'; readonly use: InstallCertificateUseEnumType; readonly der: Buffer; readonly response: InstallCertificateResponse }
  | { readonly outcome: 'alreadyInstalled'; readonly id: number; readonly response: InstallCertificateResponse }
  | { readonly outcome: 'rejected'; readonly rejection: InstallRejection; readonly detail: string; readonly response: InstallCertificateResponse }
  | { readonly outcome: 'storeFull'; readonly response: InstallCertificateResponse };

/** statusInfo.additionalInfo is at most 512 characters. */
const info = (text: string): string => (text.length <= 512 ? text : `${text.slice(0, 509)}...`);

function rejected(rejection: InstallRejection, detail: string): InstallCertificateDecision {
  const reasonCode = rejection === 'tooLarge' ? 'TooLargeElement' : 'InvalidCertificate';
  return { outcome: 'rejected', rejection, detail, response: { status: 'Rejected', statusInfo: { reasonCode, additionalInfo: info(detail) } } };
}

/**
 * M05: every InstallCertificate use is a root, so the certificate must be a self-signed CA (basicConstraints CA:TRUE,
 * keyCertSign when keyUsage is present), not expired, with no critical extension we do not process; V2G and MO roots
 * must use an ISO 15118 key and signature and fit the -20 size. A root not yet valid is accepted: installing the
 * successor ahead of a root rollover is the normal way to change roots. Same certificate for the same use: Accepted,
 * nothing to store. A full store: Failed.
 */
export function installCertificate(request: InstallCertificateRequest, inventory: CertificateInventory, limits: InstallLimits): InstallCertificateDecision {
  const use = request.certificateType;
  if (request.certificate.length > MAX_INSTALL_PEM_CHARS) {
    return rejected('tooLarge', `certificate PEM of ${request.certificate.length} characters exceeds ${MAX_INSTALL_PEM_CHARS}`);
  }
  let blocks;
  try {
    blocks = decodePem(request.certificate);
  } catch (e) {
    if (!(e instanceof PemError)) throw e;
    return rejected('pem', e.message);
  }
  if (blocks.length !== 1 || blocks[0]!.label !== 'CERTIFICATE') {
    return rejected('notOneCertificate', `expected one CERTIFICATE PEM block, found ${blocks.map((b) => b.label).join(', ') || 'none'}`);
  }
  const der = blocks[0]!.der;
  if (ISO15118_USES.has(use) && der.length > MAX_ISO15118_ROOT_BYTES) {
    return rejected('tooLarge', `${use} of ${der.length} bytes exceeds ${MAX_ISO15118_ROOT_BYTES} bytes (ISO 15118 certificate size)`);
  }
  let cert: Certificate;
  try {
    cert = parseCertificate(der);
  } catch (e) {
    if (!(e instanceof CertificateParseError)) throw e;
    return rejected('parse', e.message);
  }
  if (!cert.basicConstraints?.ca) return rejected('notCa', `${use} is not a CA certificate (basicConstraints ${cert.basicConstraints ? 'CA:FALSE' : 'missing'})`);
  if (cert.keyUsage && !hasKeyUsage(cert, 'keyCertSign')) return rejected('notCa', `${use} keyUsage lacks keyCertSign`);
  if (findIssuer(cert, []) !== cert) return rejected('notSelfSigned', `${use} is not self-signed (issuer differs or its own key does not verify it)`);
  if (limits.at > cert.notAfter) return rejected('expired', `${use} expired ${new Date(cert.notAfter).toISOString()}`);
  const critical = cert.extensions.filter((e) => e.critical && !UNDERSTOOD_EXTENSIONS.has(e.oid));
  if (critical.length) return rejected('criticalExtension', `unknown critical extension ${critical.map((e) => e.oid).join(', ')}`);
  if (ISO15118_USES.has(use) && !ISO15118_ALGORITHMS.some((a) => a.key === cert.publicKeyType && a.signature === cert.signatureAlgorithm)) {
    return rejected('algorithm', `${use} has a ${cert.publicKeyType} key signed with ${cert.signatureAlgorithm}; ISO 15118 uses P-256/SHA-256, P-521/SHA-512 or Ed448`);
  }
  const existing = inventory.roots.find((r) => r.use === use && r.cert.der.equals(der));
  if (existing) return { outcome: 'alreadyInstalled', id: existing.id, response: { status: 'Accepted' } };
  if (inventory.installedCount >= limits.maxEntries) {
    return {
      outcome: 'storeFull',
      response: { status: 'Failed', statusInfo: { reasonCode: 'OutOfStorage', additionalInfo: `${inventory.installedCount} of ${limits.maxEntries} certificates installed` } },
    };
  }
  return { outcome: 'install', use, der, response: { status: 'Accepted' } };
}

// ---------------------------------------------------------------------------------------------------------------
// GetInstalledCertificateIds

/** CertificateHashDataChainType.childCertificateHashData holds 1…4 entries. */
const MAX_CHILDREN = 4;

/**
 * M03: hash data of the installed roots of the requested types (all when no type is given) and, for
 * V2GCertificateChain, each SECC leaf with its sub-CAs as childCertificateHashData. A certificate whose issuer is not
 * at hand (a sub-CA issued by a root that is not installed) cannot be hashed and is left out. Nothing → NotFound.
 */
export function getInstalledCertificateIds(
  request: GetInstalledCertificateIdsRequest,
  inventory: CertificateInventory,
  hashAlgorithm: HashAlgorithmEnumType = 'SHA256',
): GetInstalledCertificateIdsResponse {
  const wanted = (t: GetCertificateIdUseEnumType): boolean => request.certificateType === undefined || request.certificateType.includes(t);
  const rootCerts = inventory.roots.map((r) => r.cert);
  const out: CertificateHashDataChainType[] = [];
  for (const root of inventory.roots) {
    if (!wanted(root.use)) continue;
    const issuer = findIssuer(root.cert, rootCerts);
    if (issuer) out.push({ certificateType: root.use, certificateHashData: certificateHashData(root.cert, issuer, hashAlgorithm) });
  }
  if (wanted('V2GCertificateChain')) {
    for (const chain of inventory.seccChains) {
      const [leaf, ...subs] = chain.certs;
      const pool = [...subs, ...rootCerts];
      const leafIssuer = findIssuer(leaf!, pool);
      if (!leafIssuer) continue;
      const children = subs.flatMap((sub) => {
        const issuer = findIssuer(sub, pool);
        return issuer ? [certificateHashData(sub, issuer, hashAlgorithm)] : [];
      });
      out.push({
        certificateType: 'V2GCertificateChain',
        certificateHashData: certificateHashData(leaf!, leafIssuer, hashAlgorithm),
        ...(children.length ? { childCertificateHashData: children.slice(0, MAX_CHILDREN) } : {}),
      });
    }
  }
  return out.length ? { status: 'Accepted', certificateHashDataChain: out } : { status: 'NotFound' };
}

// ---------------------------------------------------------------------------------------------------------------
// DeleteCertificate

export type DeleteCertificateDecision =
  | {
      readonly outcome: 'delete';
      /** Store ids to remove: the certificate under every use it is installed for. */
      readonly removeIds: readonly number[];
      /** Suites whose SECC chain this root anchors (worth a security event; the chain itself keeps working). */
      readonly anchorsSeccChainOf: readonly TlsSuiteName[];
      readonly response: DeleteCertificateResponse;
    }
  | { readonly outcome: 'notFound'; readonly response: DeleteCertificateResponse }
  | { readonly outcome: 'protected'; readonly suite: TlsSuiteName; readonly response: DeleteCertificateResponse };

/**
 * M04: the certificate all four hash data fields name (computed with the request's hashAlgorithm) is deleted; none →
 * NotFound. The charger's own V2G certificate chain (SECC leaf and its sub-CAs, as listed under V2GCertificateChain)
 * is never deleted this way → Failed: M04.FR.06 forbids deleting the Charging Station certificate through
 * DeleteCertificate, and a renewal goes through SignCertificate/CertificateSigned instead.
 *
 * A V2G root that anchors the SECC chain IS deleted (M04.FR.02: a found certificate is deleted; FR.06 protects only the
 * station's own certificate). The SECC credential keeps working — EVs check it against their own roots — and a CSMS
 * must be able to withdraw a compromised or retired root. The decision names the suites concerned so the caller can
 * log it: until a root is installed again, a CertificateSigned chain under that root is rejected.
 */
export function deleteCertificate(request: DeleteCertificateRequest, inventory: CertificateInventory): DeleteCertificateDecision {
  const data = request.certificateHashData;
  const rootCerts = inventory.roots.map((r) => r.cert);
  for (const chain of inventory.seccChains) {
    const pool = [...chain.certs, ...rootCerts];
    for (const cert of chain.certs) {
      const issuer = findIssuer(cert, pool);
      if (issuer && issuer !== cert && hashDataMatches(data, cert, issuer)) {
        return {
          outcome: 'protected',
          suite: chain.suite,
          response: {
            status: 'Failed',
            statusInfo: {
              reasonCode: 'Unspecified',
              additionalInfo: `certificate of the ${chain.suite} V2G Charging Station certificate chain: renewed through SignCertificate, not deleted (M04.FR.06)`,
            },
          },
        };
      }
    }
  }
  const matching = inventory.roots.filter((r) => {
    const issuer = findIssuer(r.cert, rootCerts);
    return issuer !== undefined && hashDataMatches(data, r.cert, issuer);
  });
  if (matching.length === 0) return { outcome: 'notFound', response: { status: 'NotFound' } };
  const anchorsSeccChainOf = inventory.seccChains
    .filter((chain) => {
      const anchor = findIssuer(chain.certs[chain.certs.length - 1]!, rootCerts);
      return anchor !== undefined && matching.some((m) => m.cert.der.equals(anchor.der));
    })
    .map((c) => c.suite);
  return { outcome: 'delete', removeIds: matching.map((m) => m.id), anchorsSeccChainOf, response: { status: 'Accepted' } };
}
