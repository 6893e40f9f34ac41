// Row shape of the CSMS's issued-certificate log, as Kysely sees it. Times are ISO 8601 strings.
import type { Generated } from 'kysely';

export interface CertificateTables {
  csms_issued_certificates: {
    id: Generated<number>;
    station_id: string;
    /** V2GCertificate | ChargingStationCertificate */
    certificate_type: string;
    /** SHA-256 hex of the CSR DER. */
    csr_sha256: string;
    /** IssuanceState */
    state: string;
    /** ISO 15118 suite of a V2G certificate. */
    suite: string | null;
    serial_hex: string | null;
    fingerprint256: string | null;
    subject: string | null;
    not_before: string | null;
    not_after: string | null;
    /** What was sent in CertificateSigned. */
    chain_pem: string | null;
    /** CertificateSignedResponse.status */
    station_status: string | null;
    /** statusInfo of the station's answer, or why signing / delivery failed. */
    detail: string | null;
    requested_at: string;
    issued_at: string | null;
    answered_at: string | null;
  };
}
