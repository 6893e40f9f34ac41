// A finished transaction as an OCPI CDR for the eMSP's version: one charging period, cost = energy × the configured
// price per kWh, auth_method AUTH_REQUEST when the eMSP authorised it in real time (authorization_reference present,
// which the eMSP matches — PnC Direct captures by it), WHITELIST otherwise (e.g. started offline). Pure.
import type { CompletedTransaction } from '../transactions/completedTransaction.js';
import { ocpiDateTime } from '../../ocpi/ocpiStatus.js';
import type { Cdr, CdrLocation, ConnectorFormat, OcpiPrice, OcpiVersionNumber, PowerType, TokenType } from '../../ocpi/ocpiTypes.js';
import type { CpoParty } from './cpoParty.js';
import type { EmspParty } from './emspPeer.js';
import { evseUidOf, locationIdOf, ocpiId } from './locationIds.js';

export interface Tariff {
  /** Price of one kWh before taxes, in `currency`. */
  readonly pricePerKwh: number;
  /** ISO 4217. */
  readonly currency: string;
  /** VAT in percent (e.g. 19), when the price is to be shown with it. */
  readonly vatPercent?: number;
}

/** What a CDR needs about the site that OCPP does not tell (a minimal valid CdrLocation). */
export interface CdrSite {
  readonly name?: string;
  readonly address: string;
  readonly city: string;
  readonly postalCode?: string;
  /** ISO 3166-1 alpha-3. */
  readonly country: string;
  /** Decimal degrees as OCPI writes them: -?[0-9]{1,2}.[0-9]{5,7}. */
  readonly latitude: string;
  readonly longitude: string;
  /** OCPI ConnectorType, e.g. IEC_62196_T2, IEC_62196_T2_COMBO. */
  readonly connectorStandard: string;
  readonly connectorFormat: ConnectorFormat;
  readonly powerType: PowerType;
}

export const DEFAULT_CDR_SITE: CdrSite = {
  address: 'unknown',
  city: 'unknown',
  country: 'DEU',
  latitude: '0.000000',
  longitude: '0.000000',
  connectorStandard: 'IEC_62196_T2',
  connectorFormat: 'SOCKET',
  powerType: 'AC_3_PHASE',
};

export interface CdrInput {
  readonly transaction: CompletedTransaction;
  readonly cpo: CpoParty;
  readonly emsp: EmspParty;
  readonly version: OcpiVersionNumber;
  /** Token uid (the eMAID without '-') and contract id (display form) as the eMSP knows them. */
  readonly tokenUid: string;
  readonly contractId: string;
  readonly tariff: Tariff;
  readonly site?: CdrSite;
  readonly now: Date;
}

export function buildCdr(input: CdrInput): Cdr {
  const { transaction: tx, tariff, version } = input;
  const site = input.site ?? DEFAULT_CDR_SITE;
  const kwh = round(Math.max(0, tx.energyWh) / 1000, 4);
  const hours = round(Math.max(0, Date.parse(tx.endedAt) - Date.parse(tx.startedAt)) / 3_600_000, 4);
  const cost = round(kwh * tariff.pricePerKwh, 2);
  const price = priceOf(cost, tariff, version);
  const type: TokenType = version === '2.3.0' ? 'EMAID' : 'OTHER';
  const reference = tx.authorizationReference !== undefined && tx.authorizationReference.length <= 36 ? tx.authorizationReference : undefined;
  const location: CdrLocation = {
    id: locationIdOf(tx.stationId),
    ...(site.name !== undefined ? { name: site.name } : {}),
    address: site.address,
    city: site.city,
    ...(site.postalCode !== undefined ? { postal_code: site.postalCode } : {}),
    country: site.country,
    coordinates: { latitude: site.latitude, longitude: site.longitude },
    evse_uid: evseUidOf(tx.stationId, tx.evseId),
    evse_id: evseId(input.cpo, tx.stationId, tx.evseId),
    connector_id: String(tx.connectorId ?? 1),
    connector_standard: site.connectorStandard,
    connector_format: site.connectorFormat,
    connector_power_type: site.powerType,
  };
  return {
    country_code: input.cpo.countryCode,
    party_id: input.cpo.partyId,
    id: ocpiId(tx.cdrId),
    start_date_time: ocpiDateTime(new Date(tx.startedAt)),
    end_date_time: ocpiDateTime(new Date(tx.endedAt)),
    cdr_token: { country_code: input.emsp.countryCode, party_id: input.emsp.partyId, uid: input.tokenUid, type, contract_id: input.contractId },
    auth_method: reference !== undefined ? 'AUTH_REQUEST' : 'WHITELIST',
    ...(reference !== undefined ? { authorization_reference: reference } : {}),
    cdr_location: location,
    currency: tariff.currency,
    charging_periods: [
      {
        start_date_time: ocpiDateTime(new Date(tx.startedAt)),
        dimensions: [
          { type: 'ENERGY', volume: kwh },
          { type: 'TIME', volume: hours },
        ],
      },
    ],
    total_cost: price,
    total_energy: kwh,
    total_energy_cost: price,
    total_time: hours,
    ...(tx.stoppedReason !== undefined ? { remark: `stopped: ${tx.stoppedReason}`.slice(0, 255) } : {}),
    last_updated: ocpiDateTime(input.now),
  };
}

function priceOf(cost: number, tariff: Tariff, version: OcpiVersionNumber): OcpiPrice {
  const vat = tariff.vatPercent;
  if (version === '2.3.0') {
    return vat === undefined ? { before_taxes: cost } : { before_taxes: cost, taxes: [{ name: 'VAT', percentage: vat, amount: round((cost * vat) / 100, 2) }] };
  }
  return vat === undefined ? { excl_vat: cost } : { excl_vat: cost, incl_vat: round(cost * (1 + vat / 100), 2) };
}

/** eMI3-style EVSE ID: CC*PPP*E<station><evse>, only [A-Z0-9*] and at most 48 characters. */
function evseId(cpo: CpoParty, stationId: string, evse: number | undefined): string {
  const station = stationId.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return `${cpo.countryCode}*${cpo.partyId}*E${station}*${evse ?? 1}`.slice(0, 48);
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f + Number.EPSILON) / f;
}
