// Sends the CDR of a finished transaction to the eMSP of its token over OCPI (cdrs module, eMSP interface). Only
// eMAID tokens of an eMSP we roam with go out; anything else is "not roaming". Delivery is at least once — the
// eMSP de-duplicates by (country_code, party_id, id) — and any failure is a CdrDeliveryError the ledger retries.
import type { CdrDeliveryResult, CdrSink, CompletedTransaction } from '../transactions/completedTransaction.js';
import { CdrDeliveryError } from '../transactions/completedTransaction.js';
import type { OcpiClient } from '../../ocpi/ocpiClient.js';
import { OcpiError } from '../../ocpi/ocpiError.js';
import { EmaidError, emaidProvider, formatEmaid, parseEmaid } from '../../pki/emaid/emaid.js';
import type { Tracer } from '../../trace/tracer.js';
import { buildCdr, type CdrSite, type Tariff } from './cdrBuilder.js';
import type { CpoParty } from './cpoParty.js';
import { EmspDirectoryUnavailableError, type EmspDirectory } from './emspDirectory.js';
import { endpointUrl, partyLabel } from './emspPeer.js';

export interface OcpiCdrSinkOptions {
  readonly directory: EmspDirectory;
  readonly client: OcpiClient;
  readonly cpo: CpoParty;
  readonly tariff: Tariff;
  readonly site?: CdrSite;
  readonly tracer?: Tracer;
  /** Time limit of one CDR POST (default 10 s). */
  readonly timeoutMs?: number;
  readonly now?: () => Date;
}

export class OcpiCdrSink implements CdrSink {
  constructor(private readonly options: OcpiCdrSinkOptions) {}

  async deliver(tx: CompletedTransaction): Promise<CdrDeliveryResult> {
    if (tx.idToken.type !== 'eMAID') return { kind: 'not-roaming', detail: `${tx.idToken.type} token: the CPO's own` };
    let emaid;
    try {
      emaid = parseEmaid(tx.idToken.idToken, 'lenient');
    } catch (e) {
      if (e instanceof EmaidError) return { kind: 'not-roaming', detail: 'the eMAID token is not an eMAID' };
      throw e;
    }
    const party = emaidProvider(emaid);
    let peer;
    try {
      peer = await this.options.directory.find(party.countryCode, party.partyId);
    } catch (e) {
      if (e instanceof EmspDirectoryUnavailableError) throw new CdrDeliveryError(e.message, { cause: e });
      throw e;
    }
    const label = partyLabel(party);
    if (!peer) return { kind: 'not-roaming', detail: `no roaming agreement with eMSP ${label}` };
    const cdrsUrl = endpointUrl(peer, 'cdrs', 'RECEIVER');
    if (!cdrsUrl) return { kind: 'not-roaming', detail: `eMSP ${label} takes no CDRs (no cdrs RECEIVER endpoint)` };
    const cdr = buildCdr({
      transaction: tx,
      cpo: this.options.cpo,
      emsp: party,
      version: peer.version,
      tokenUid: emaid.normalized,
      contractId: formatEmaid(emaid),
      tariff: this.options.tariff,
      ...(this.options.site ? { site: this.options.site } : {}),
      now: (this.options.now ?? (() => new Date()))(),
    });
    try {
      const posted = await this.options.client.postCdr(cdrsUrl, peer.tokenC, cdr, { timeoutMs: this.options.timeoutMs ?? 10_000, correlationId: cdr.id });
      this.options.tracer?.emit({
        kind: 'message',
        party: 'csms',
        from: 'csms',
        to: 'msp',
        message: 'OCPI CDR',
        detail: `CDR ${cdr.id} to eMSP ${label}: ${cdr.total_energy} kWh, ${JSON.stringify(cdr.total_cost)} ${cdr.currency}${posted.location ? ` → ${posted.location}` : ''}`,
      });
      return { kind: 'sent', emsp: label };
    } catch (e) {
      if (!(e instanceof OcpiError)) throw e;
      this.options.tracer?.emit({ kind: 'error', party: 'csms', error: 'OCPI CDR not delivered', detail: `CDR ${cdr.id} to eMSP ${label}: ${e.code}: ${e.message.slice(0, 300)}` });
      throw new CdrDeliveryError(`CDR ${cdr.id} to eMSP ${label}: ${e.message}`, { cause: e });
    }
  }
}
