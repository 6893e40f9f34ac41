// One EVSE of the charger between plug-in and unplug: the identification policy (pure state machine) drives it, this
// class does its IO — Authorize to the CSMS or the offline rules, the block-list, the one transaction per plug-in and
// its TransactionEvents through the durable queue. The contract chain and eMAID live only in the request objects of
// the running session; the transaction record keeps a contract fingerprint only while an offline PnC transaction waits
// for the CSMS's verdict.
import { randomUUID } from 'node:crypto';
import type { AuthorizationDecision, ContractRequest } from '../../iso15118/session/seccDecisionPort.js';
import type {
  AuthorizeRequest,
  AuthorizeResponse,
  IdTokenType,
  ReasonEnumType,
  TransactionEventEnumType,
  TransactionEventRequest,
  TransactionEventResponse,
  TriggerReasonEnumType,
} from '../../ocpp/generated/ocpp201.js';
import { fingerprint256 } from '../../pki/certificate/fingerprint.js';
import type { Tracer } from '../../trace/tracer.js';
import { authorizeContract, CsmsUnavailable } from '../contractAuthorization.js';
import type { ChargerVariables } from '../deviceModel/chargerVariables.js';
import { INITIAL_IDENTIFICATION, identificationStep, offeredMethods, type IdentificationAction, type IdentificationEvent, type IdentificationMethod, type IdentificationState } from '../identificationPolicy.js';
import { maskEmaid } from '../../pki/emaid/maskEmaid.js';
import { decideOfflineContract } from '../offline/offlineContractDecision.js';
import { decideOfflineIdToken } from '../offline/offlineIdTokenDecision.js';
import { reconcile } from '../offline/reconciliation.js';
import type { ChargerStateStore, OpenTransactionRecord } from '../store/chargerStateStore.js';
import { transactionEventRequest } from '../transactions/transactionEventRequest.js';

export interface EvseControllerOptions {
  readonly evseId: number;
  readonly connectorId: number;
  readonly store: ChargerStateStore;
  readonly variables: () => ChargerVariables;
  /** Connected to the CSMS and accepted by it. */
  readonly online: () => boolean;
  /** OCPP Authorize; throws CsmsUnavailable when the CSMS cannot answer. */
  readonly authorize: (request: AuthorizeRequest) => Promise<AuthorizeResponse>;
  /** Something was queued for the CSMS. */
  readonly queued: () => void;
  /** Energy.Active.Import.Register of this EVSE in Wh. */
  readonly meterWh: () => number;
  readonly clock: () => Date;
  readonly tracer: Tracer;
  readonly connectorStatus?: (status: 'Available' | 'Occupied') => void;
}

/** What a V2G session on this EVSE sees while it waits for EIM. */
type ExternalState = { readonly status: 'pending' } | { readonly status: 'accepted' } | { readonly status: 'rejected'; readonly reason: string };

export class EvseController {
  private state: IdentificationState = INITIAL_IDENTIFICATION;
  private transaction: OpenTransactionRecord | undefined;
  private external: ExternalState = { status: 'pending' };
  private sessionId: string | undefined;
  private stop: { readonly reason: string } | undefined;
  private updates: NodeJS.Timeout | undefined;
  /** Policy steps are synchronous; the store IO of transactions runs one at a time in this chain. */
  private chain: Promise<unknown> = Promise.resolve();
  /** The typed idTokens presented by EIM (the policy keeps only the string). */
  private readonly presented = new Map<string, IdTokenType>();

  constructor(private readonly o: EvseControllerOptions) {}

  get evseId(): number {
    return this.o.evseId;
  }

  get busy(): boolean {
    return this.state.plugged || this.sessionId !== undefined;
  }

  get currentTransactionId(): string | undefined {
    return this.transaction?.transactionId;
  }

  get identification(): IdentificationState {
    return this.state;
  }

  /** A V2G session began on this EVSE: the cable is in. Returns the methods to offer (synchronously: the SECC asks now). */
  plugIn(sessionId: string): readonly IdentificationMethod[] {
    if (this.sessionId === undefined) {
      this.sessionId = sessionId;
      this.o.connectorStatus?.('Occupied');
      const step = identificationStep(this.state, { type: 'plugIn' });
      this.state = step.state;
      // An EIM-first identification starts the transaction now; the SECC does not wait for the store.
      this.background(this.runActions(step.actions, { type: 'plugIn' }));
    }
    const offered = offeredMethods(this.state);
    return this.o.variables().pncEnabled ? offered : offered.filter((m) => m !== 'pnc');
  }

  /** Resolves when work started in the background (plug-in actions) has finished. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** An RFID card or app identification for this EVSE (before or after plug-in, or while PnC is pending). */
  async presentIdToken(idToken: IdTokenType): Promise<void> {
    this.presented.set(idToken.idToken, idToken);
    if (this.external.status === 'rejected') this.external = { status: 'pending' };
    await this.apply({ type: 'rfid', idToken: idToken.idToken });
  }

  /** The SECC asks for the contract decision (after the challenge signature verified). */
  async contract(request: ContractRequest): Promise<Exclude<AuthorizationDecision, { status: 'pending' }>> {
    const step = identificationStep(this.state, { type: 'contractRequest', emaid: request.emaid });
    const refused = step.actions.find((a) => a.type === 'refuseContract');
    if (refused) {
      this.trace('identification', false, `contract refused: ${refused.reason}`);
      return { status: 'rejected', iso2Code: 'FAILED', iso20Code: 'WARNING_GeneralPnCAuthorizationError', reason: refused.reason };
    }
    // Pending from here: a tap meanwhile is held by the policy as the backup.
    this.state = step.state;
    const decision = await this.authorizeContractNow(request);
    await this.apply({ type: 'authorizeResult', method: 'pnc', idToken: request.emaid, accepted: decision.accepted }, decision.offlineFingerprint);
    return decision.result;
  }

  /** EIM status for the V2G session: accepted once an idToken identified this plug-in. */
  externalDecision(): AuthorizationDecision {
    if (this.state.authorized?.method === 'eim') return { status: 'accepted' };
    // A refused card ends the EV's wait (it may start a new session; another tap is then judged afresh).
    if (this.external.status === 'rejected' && this.state.pending === undefined) return { status: 'rejected', reason: this.external.reason };
    return { status: 'pending' };
  }

  /** The charger wants the EV to stop (deauthorised after the fact). */
  stopRequested(): boolean {
    return this.stop !== undefined;
  }

  /** The V2G session ended: the cable counts as unplugged; the transaction ends. */
  async sessionEnded(outcome: string): Promise<void> {
    const normal = outcome.startsWith('SessionStop');
    const stoppedReason: ReasonEnumType = this.stop ? 'DeAuthorized' : normal ? 'StoppedByEV' : 'EVDisconnected';
    const trigger: TriggerReasonEnumType = this.stop ? 'Deauthorized' : normal ? 'StopAuthorized' : 'EVCommunicationLost';
    this.sessionId = undefined;
    this.stop = undefined;
    this.external = { status: 'pending' };
    this.presented.clear();
    await this.apply({ type: 'unplug' }, undefined, { stoppedReason, trigger });
    this.o.connectorStatus?.('Available');
  }

  /** After a restart: a transaction left open by the previous process ends with PowerLoss. */
  recover(record: OpenTransactionRecord): Promise<void> {
    return this.serial(async () => {
      this.transaction = record;
      await this.endTransaction('PowerLoss', 'AbnormalCondition');
    });
  }

  /** The CSMS's answer to one of this charger's TransactionEvents (possibly long after, for offline events). */
  async transactionResponse(request: TransactionEventRequest, response: TransactionEventResponse): Promise<void> {
    const info = response.idTokenInfo;
    const id = request.transactionInfo.transactionId;
    const records = await this.o.store.openTransactions();
    const record = records.find((r) => r.transactionId === id);
    if (info) {
      const settings = this.o.variables();
      const r = reconcile({
        judgement: { idTokenInfo: info },
        ...(record?.contractFingerprint ? { contractFingerprint: record.contractFingerprint } : {}),
        transactionOngoing: this.transaction?.transactionId === id,
        settings: { stopTxOnInvalidId: settings.stopTxOnInvalidId, ...(settings.maxEnergyOnInvalidIdWh !== undefined ? { maxEnergyOnInvalidIdWh: settings.maxEnergyOnInvalidIdWh } : {}) },
      });
      if (r.block) {
        await this.o.store.block(r.block.fingerprint, r.block.reason);
        this.trace('block-list', false, `contract of an offline transaction refused afterwards (${info.status}): fingerprint blocked`);
      }
      if (r.contractJudged && record?.contractFingerprint) await this.o.store.saveTransaction(withoutFingerprint(record));
      if (r.transaction.kind === 'stop') {
        this.stop = { reason: `idToken ${info.status}` };
        this.trace('deauthorized', false, `CSMS answered idToken ${info.status} for the running transaction: stopping (StopTxOnInvalidId)`);
      } else if (r.transaction.kind !== 'none') {
        // Suspending or capping the energy needs the SECC to lower its limits; not done yet — traced so it is seen.
        this.trace('deauthorized', false, `CSMS answered idToken ${info.status}; ${r.transaction.kind} is not enforced by this charger (StopTxOnInvalidId false)`);
      }
    }
    if (request.eventType === 'Ended' && record) await this.o.store.forgetTransaction(id);
  }

  private async authorizeContractNow(request: ContractRequest): Promise<{ accepted: boolean; result: Exclude<AuthorizationDecision, { status: 'pending' }>; offlineFingerprint?: string }> {
    const fingerprint = fingerprint256(request.chain[0]!);
    const settings = this.o.variables();
    let response: AuthorizeResponse | undefined;
    const result = await authorizeContract(
      { emaid: request.emaid, chain: request.chain, verdict: request.verdict, settings },
      {
        authorize: async (r) => (response = await this.o.authorize(r)),
        step: (check, ok, detail) => this.trace(check, ok, detail),
        offline: async () => {
          const d = decideOfflineContract({ contractValidationOffline: settings.contractValidationOffline, verdict: request.verdict, fingerprint, blockListed: await this.o.store.isBlocked(fingerprint) });
          if (!d.allowed) return { allowed: false, reason: d.detail };
          // C07.FR.09: the eMAID is then looked up in the local list; an entry that is not Accepted refuses it.
          const entry = settings.localAuthListEnabled ? await this.o.store.localListEntry({ idToken: request.emaid, type: 'eMAID' }) : undefined;
          if (entry && entry.idTokenInfo.status !== 'Accepted') return { allowed: false, reason: `the local list says ${entry.idTokenInfo.status} for this eMAID` };
          return { allowed: true, reason: 'ContractValidationOffline, local verdict valid, not on the block-list' };
        },
      },
    );
    if (response) {
      const r = reconcile({
        judgement: { idTokenInfo: response.idTokenInfo, ...(response.certificateStatus ? { certificateStatus: response.certificateStatus } : {}) },
        contractFingerprint: fingerprint,
        transactionOngoing: false,
        settings: { stopTxOnInvalidId: settings.stopTxOnInvalidId },
      });
      if (r.block) {
        await this.o.store.block(r.block.fingerprint, r.block.reason);
        this.trace('block-list', false, `${maskEmaid(request.emaid)}: ${r.block.reason}; fingerprint blocked for offline use`);
      }
    }
    const accepted = result.decision.status === 'accepted';
    return { accepted, result: result.decision, ...(accepted && result.offline ? { offlineFingerprint: fingerprint } : {}) };
  }

  private async authorizeIdToken(idToken: IdTokenType): Promise<boolean> {
    const who = idToken.type === 'eMAID' ? maskEmaid(idToken.idToken) : `${idToken.type} token`;
    try {
      const response = await this.o.authorize({ idToken });
      const ok = response.idTokenInfo.status === 'Accepted';
      this.trace('EIM authorization', ok, `${who}: idToken ${response.idTokenInfo.status}`);
      return ok;
    } catch (e) {
      if (!(e instanceof CsmsUnavailable)) throw e;
      const settings = this.o.variables();
      const entry = await this.o.store.localListEntry(idToken);
      const decision = decideOfflineIdToken({
        idToken,
        ...(entry ? { entry } : {}),
        now: this.o.clock().getTime(),
        evseId: this.o.evseId,
        settings: { localAuthorizeOffline: settings.localAuthorizeOffline, localAuthListEnabled: settings.localAuthListEnabled, offlineTxForUnknownIdEnabled: settings.offlineTxForUnknownIdEnabled },
      });
      this.trace('offline EIM authorization', decision.accepted, `${who}: CSMS unavailable (${e.message}); ${decision.accepted ? decision.source : decision.reason}`);
      return decision.accepted;
    }
  }

  /** One policy step (synchronous, so events never interleave inside it), then its actions. */
  private async apply(event: IdentificationEvent, offlineFingerprint?: string, end?: { stoppedReason: ReasonEnumType; trigger: TriggerReasonEnumType }): Promise<void> {
    const step = identificationStep(this.state, event);
    this.state = step.state;
    await this.runActions(step.actions, event, offlineFingerprint, end);
  }

  private async runActions(actions: readonly IdentificationAction[], event: IdentificationEvent, offlineFingerprint?: string, end?: { stoppedReason: ReasonEnumType; trigger: TriggerReasonEnumType }): Promise<void> {
    for (const action of actions) await this.act(action, event, offlineFingerprint, end);
  }

  private readonly pending = new Set<Promise<void>>();

  private background(work: Promise<void>): void {
    const p = work.catch((e: unknown) => this.o.tracer.emit({ kind: 'error', party: 'charger', error: 'EVSE', detail: e instanceof Error ? e.message : String(e) }));
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async act(action: IdentificationAction, event: IdentificationEvent, offlineFingerprint: string | undefined, end?: { stoppedReason: ReasonEnumType; trigger: TriggerReasonEnumType }): Promise<void> {
    switch (action.type) {
      case 'authorize': {
        if (action.method === 'pnc') return; // contract() runs the contract authorization itself
        const accepted = await this.authorizeIdToken(this.tokenOf(action.idToken));
        this.external = accepted ? { status: 'accepted' } : { status: 'rejected', reason: 'idToken not accepted' };
        await this.apply({ type: 'authorizeResult', method: 'eim', idToken: action.idToken, accepted });
        return;
      }
      case 'startTransaction': {
        const token: IdTokenType = action.method === 'pnc' ? { idToken: action.idToken, type: 'eMAID' } : this.tokenOf(action.idToken);
        await this.serial(() => this.startTransaction(token, event.type === 'plugIn' ? 'CablePluggedIn' : 'Authorized', offlineFingerprint));
        return;
      }
      case 'endTransaction':
        await this.serial(() => this.endTransaction(end?.stoppedReason ?? 'EVDisconnected', end?.trigger ?? 'EVCommunicationLost'));
        return;
      case 'refuseContract':
      case 'ignore':
        this.trace('identification', true, `${event.type}: ${action.reason}`);
        return;
    }
  }

  private tokenOf(idToken: string): IdTokenType {
    return this.presented.get(idToken) ?? { idToken, type: 'ISO14443' };
  }

  private async startTransaction(idToken: IdTokenType, trigger: TriggerReasonEnumType, offlineFingerprint: string | undefined): Promise<void> {
    const offline = !this.o.online();
    const record: OpenTransactionRecord = {
      transactionId: randomUUID(),
      evseId: this.o.evseId,
      connectorId: this.o.connectorId,
      nextSeqNo: 0,
      startedAt: this.o.clock().toISOString(),
      offline,
      ...(offlineFingerprint && offline ? { contractFingerprint: offlineFingerprint } : {}),
      ended: false,
    };
    this.transaction = record;
    await this.event('Started', trigger, { idToken, chargingState: 'Charging' });
    const interval = this.o.variables().txUpdatedIntervalS;
    if (interval > 0) {
      this.updates = setInterval(() => void this.serial(() => this.event('Updated', 'MeterValuePeriodic', {})), interval * 1000);
      this.updates.unref();
    }
  }

  private async endTransaction(stoppedReason: ReasonEnumType, trigger: TriggerReasonEnumType): Promise<void> {
    clearInterval(this.updates);
    this.updates = undefined;
    if (!this.transaction) return;
    await this.event('Ended', trigger, { stoppedReason, chargingState: 'Idle' });
    this.transaction = undefined;
  }

  /** Queues one TransactionEvent and bumps the transaction's seqNo in the same store transaction. */
  private async event(eventType: TransactionEventEnumType, triggerReason: TriggerReasonEnumType, extra: { idToken?: IdTokenType; chargingState?: 'Charging' | 'Idle'; stoppedReason?: ReasonEnumType }): Promise<void> {
    const tx = this.transaction;
    if (!tx) return;
    const next: OpenTransactionRecord = { ...tx, nextSeqNo: tx.nextSeqNo + 1, ended: eventType === 'Ended' };
    const request = transactionEventRequest({
      eventType,
      transactionId: tx.transactionId,
      seqNo: tx.nextSeqNo,
      at: this.o.clock(),
      triggerReason,
      offline: !this.o.online(),
      evseId: tx.evseId,
      connectorId: tx.connectorId,
      energyWh: this.o.meterWh(),
      ...extra,
    });
    await this.o.store.enqueue('TransactionEvent', request as unknown as Record<string, unknown>, next);
    this.transaction = next;
    this.o.tracer.emit({
      kind: 'message',
      party: 'charger',
      from: 'charger',
      to: 'csms',
      message: 'TransactionEventRequest',
      detail: `${eventType} seqNo ${tx.nextSeqNo}${request.offline ? ' (offline, queued)' : ''}${extra.idToken ? `, idToken ${extra.idToken.type === 'eMAID' ? maskEmaid(extra.idToken.idToken) : extra.idToken.type}` : ''}`,
    });
    this.o.queued();
  }

  private trace(check: string, ok: boolean, detail: string): void {
    this.o.tracer.emit({ kind: 'check', party: 'charger', ...(this.sessionId ? { session: this.sessionId } : {}), check, ok, detail });
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.chain.then(f, f);
    this.chain = run.catch(() => undefined);
    return run;
  }
}

function withoutFingerprint(r: OpenTransactionRecord): OpenTransactionRecord {
  const { contractFingerprint: _judged, ...rest } = r;
  return rest;
}
