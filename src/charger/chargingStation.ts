// The charger as one process: its SECC facing EVs (ISO 15118 over TLS), its EVSEs deciding identification and
// transactions, and its OCPP 2.0.1 connection to the CSMS — registration, heartbeat, connector status, the durable
// TransactionEvent queue, OCSP stapling data, certificate management and renewal — with all state in the store.
import type { ChargingStationType, ConnectorStatusEnumType, IdTokenType, MessageTriggerEnumType } from '../ocpp/generated/ocpp201.js';
import type { OcppPeer } from '../ocpp/ocppPeer.js';
import type { V2gProtocol } from '../iso15118/session/appProtocolNegotiation.js';
import type { EvseModel } from '../iso15118/session/evseModel.js';
import { startSeccServer, type SeccServer, type SeccServerOptions } from '../iso15118/session/seccServer.js';
import type { SeccTimeouts } from '../iso15118/session/seccSessionRunner.js';
import type { SeccCredential } from '../iso15118/tls/seccListener.js';
import { createTrustStore, type TrustStore } from '../pki/verdict/trustStore.js';
import type { Tracer } from '../trace/tracer.js';
import type { InstallCertificateUseEnumType } from '../ocpp/generated/ocpp201.js';
import type { ChargerVariables } from './deviceModel/chargerVariables.js';
import { chargerVariableKey } from './deviceModel/chargerVariables.js';
import { EvseController } from './evse/evseController.js';
import type { Pkcs11Token } from './keys/pkcs11Token.js';
import { isTokenKey, tokenTlsKey, type TokenDefaults } from './keys/seccTokenKey.js';
import { ocppAuthorizer } from './ocppAuthorizer.js';
import { stationDecisionPort } from './stationDecisionPort.js';
import { sendBootNotification } from './station/bootNotification.js';
import { connectToCsms, type CsmsConnection, type CsmsConnectionOptions } from './station/csmsConnection.js';
import { registerCsmsRequestHandlers, variablesOf, type StationState } from './station/csmsRequestHandlers.js';
import { evCertificateForwarder } from './station/evCertificateForwarder.js';
import { SeccOcspStapling } from './station/seccOcspStapling.js';
import { SeccRenewal } from './station/seccRenewal.js';
import { SimulatedMeter } from './station/simulatedMeter.js';
import { variableKeyString, type ChargerStateStore, type TlsSuiteName } from './store/chargerStateStore.js';
import { MessageQueueSender } from './transactions/messageQueueSender.js';

export interface ChargingStationOptions {
  readonly store: ChargerStateStore;
  /** Decrypts the SECC keys and encrypts renewed ones. */
  readonly passphrase: string;
  readonly station: ChargingStationType;
  /** The CSMS connection (identity, URL, security profile, back-off). */
  readonly csms: CsmsConnectionOptions;
  /** Written to the store on the first start only (later starts keep what the CSMS changed). */
  readonly firstStart: {
    readonly seccChains: readonly { readonly suite: TlsSuiteName; readonly chain: readonly Buffer[]; readonly keyPem: string }[];
    readonly roots: readonly { readonly use: InstallCertificateUseEnumType; readonly der: Buffer }[];
    readonly variables?: Partial<Record<keyof ChargerVariables, string>>;
  };
  /** OEM roots for -20 vehicle certificates (not managed over OCPP 2.0.1). */
  readonly vehicleRoots?: readonly Buffer[];
  readonly secc: {
    readonly host?: string;
    readonly port?: number;
    readonly allowPlain?: boolean;
    readonly protocols: readonly V2gProtocol[];
    readonly evse: EvseModel;
    readonly timeouts?: Partial<SeccTimeouts>;
    readonly keyLogFile?: string;
    readonly sdp?: SeccServerOptions['sdp'];
  };
  readonly evseCount?: number;
  /** Simulated meter power per EVSE (W). */
  readonly meterPowerW?: number;
  readonly tracer: Tracer;
  readonly clock?: () => number;
  /** SECC keys in a PKCS#11 token: module/PIN for stored key URIs, and the token renewals generate keys on. */
  readonly pkcs11?: { readonly defaults: TokenDefaults; readonly renewalToken?: string };
  /** Time the charger waits for an Authorize answer before the offline rules apply (ms). */
  readonly authorizeTimeoutMs?: number;
}

export class ChargingStation {
  private accepted = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private stapleTimer: NodeJS.Timeout | undefined;
  private trust: TrustStore;
  private readonly connectorStatus = new Map<number, ConnectorStatusEnumType>();
  private stopped = false;

  private constructor(
    private readonly o: ChargingStationOptions,
    private readonly state: StationState,
    readonly evses: readonly EvseController[],
    readonly connection: CsmsConnection,
    readonly queue: MessageQueueSender,
    readonly stapling: SeccOcspStapling,
    private secc: SeccServer | undefined,
    private readonly suites: readonly TlsSuiteName[],
  ) {
    this.trust = createTrustStore([]);
  }

  static async start(o: ChargingStationOptions): Promise<ChargingStation> {
    const clock = o.clock ?? Date.now;
    const { store, tracer } = o;
    await firstStart(o);
    const values = await store.readVariables();
    const suites = o.firstStart.seccChains.map((c) => c.suite);

    // The parts below call back into the station, which exists only once they do.
    const ref: { station?: ChargingStation } = {};
    const live = (): ChargingStation => ref.station!;
    const connection = connectToCsms({
      ...o.csms,
      onEvent: (e) => {
        o.csms.onEvent?.(e);
        if (e.type === 'connected' || e.type === 'disconnected' || e.type === 'connect-failed') {
          tracer.emit({ kind: 'check', party: 'charger', check: `CSMS ${e.type}`, ok: e.type === 'connected', detail: 'kind' in e ? `${e.kind}: ${e.message}` : 'reason' in e ? `${e.code} ${e.reason}` : `attempt ${e.attempt}` });
        }
      },
    });
    const peer = (): OcppPeer | undefined => (ref.station?.accepted ? connection.peer() : undefined);
    const renewal = new SeccRenewal({
      store,
      passphrase: o.passphrase,
      suites,
      peer,
      variables: () => variablesOf(state),
      clock,
      tracer,
      installed: (suite, chain, keyPem) => live().installCredential(suite, chain, keyPem),
      ...(o.pkcs11?.renewalToken ? { token: { uri: o.pkcs11.renewalToken, defaults: o.pkcs11.defaults } } : {}),
    });
    const state: StationState = {
      store,
      values,
      suites,
      renewal,
      clock,
      tracer,
      rootsChanged: () => void live().reloadTrust(),
      variableChanged: (key) => live().variableChanged(key),
      trigger: (m) => live().trigger(m),
    };
    const queue = new MessageQueueSender({
      store,
      peer,
      callTimeoutMs: () => variablesOf(state).messageTimeoutS * 1000,
      maxAttempts: () => variablesOf(state).messageAttemptsTransactionEvent,
      attemptIntervalMs: () => variablesOf(state).messageAttemptIntervalTransactionEventS * 1000,
      onResponse: async (request, response) => {
        const evse = live().evses.find((e) => e.evseId === request.evse?.id) ?? live().evses[0]!;
        await evse.transactionResponse(request, response);
      },
      tracer,
    });
    const seccChains = new Map<TlsSuiteName, readonly Buffer[]>();
    for (const suite of suites) {
      const c = await store.seccCredential(suite);
      if (c) seccChains.set(suite, c.chain);
    }
    const stapling = new SeccOcspStapling({ store, peer, chains: () => seccChains, clock, tracer });
    await stapling.load();
    const evses = Array.from({ length: o.evseCount ?? 1 }, (_, i) => {
      const meter = new SimulatedMeter(o.meterPowerW ?? 11_000, clock);
      return new EvseController({
        evseId: i + 1,
        connectorId: 1,
        store,
        variables: () => variablesOf(state),
        online: () => peer() !== undefined,
        authorize: ocppAuthorizer(peer, o.authorizeTimeoutMs ?? 10_000),
        queued: () => queue.kick(),
        meterWh: () => meter.readWh(),
        clock: () => new Date(clock()),
        tracer,
        connectorStatus: (status) => {
          if (status === 'Occupied') meter.start();
          else meter.stop();
          void live().reportStatus(i + 1, status);
        },
      });
    });
    const station = new ChargingStation(o, state, evses, connection, queue, stapling, undefined, suites);
    ref.station = station;
    station.seccChains = seccChains;
    await station.reloadTrust();
    registerCsmsRequestHandlers((action, handler) => connection.handle(action, handler), state);
    connection.onConnected(() => void live().connected());
    connection.onDisconnected(() => live().disconnected());

    // Transactions the previous process left open end now (PowerLoss); their events wait in the queue.
    for (const record of await store.openTransactions()) {
      if (record.ended) continue;
      const evse = evses.find((e) => e.evseId === record.evseId) ?? evses[0]!;
      await evse.recover(record);
    }

    const credentials: SeccCredential[] = [];
    for (const suite of suites) {
      const c = await store.seccCredential(suite);
      if (c) credentials.push(await station.credentialOf(suite, c.chain, c.key));
    }
    const port = stationDecisionPort({
      evses,
      centralContractValidationAllowed: () => variablesOf(state).centralContractValidationAllowed,
      installCertificate: evCertificateForwarder({ peer, enabled: () => variablesOf(state).contractCertificateInstallationEnabled, tracer }),
      tracer,
    });
    station.secc = await startSeccServer({
      ...(o.secc.host ? { host: o.secc.host } : {}),
      ...(o.secc.port !== undefined ? { port: o.secc.port } : {}),
      credentials,
      contractTrust: () => live().trust,
      ...(o.vehicleRoots?.length ? { vehicleTrust: createTrustStore(o.vehicleRoots.map((der) => ({ der, source: 'OEM root' }))) } : {}),
      allowPlain: o.secc.allowPlain ?? false,
      protocols: o.secc.protocols,
      decisionPort: port,
      evse: o.secc.evse,
      tracer,
      clock,
      ...(o.secc.timeouts ? { timeouts: o.secc.timeouts } : {}),
      ...(o.secc.keyLogFile ? { keyLogFile: o.secc.keyLogFile } : {}),
      ...(o.secc.sdp ? { sdp: o.secc.sdp } : {}),
      ocspStaple: (suite) => stapling.staple(suite),
    });
    return station;
  }

  private seccChains = new Map<TlsSuiteName, readonly Buffer[]>();

  /** The SECC's TCP port. */
  get seccPort(): number {
    return this.secc!.port;
  }

  get registered(): boolean {
    return this.accepted;
  }

  variables(): ChargerVariables {
    return variablesOf(this.state);
  }

  /** An RFID tap (or app start) at an EVSE. */
  presentIdToken(evseId: number, idToken: IdTokenType): Promise<void> {
    const evse = this.evses.find((e) => e.evseId === evseId);
    if (!evse) throw new RangeError(`no EVSE ${evseId}`);
    return evse.presentIdToken(idToken);
  }

  /** SECC certificate renewal for one suite (what TriggerMessage SignV2GCertificate starts). */
  requestSeccCertificate(suite: TlsSuiteName): Promise<'Accepted' | 'Rejected'> {
    return this.state.renewal.request(suite);
  }

  /** Asks the CSMS for fresh OCSP data for the SECC certificates now. */
  refreshOcsp(): Promise<Map<TlsSuiteName, string>> {
    return this.stapling.refresh(true);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.stapleTimer);
    await this.secc?.close();
    for (const e of this.evses) await e.settled();
    await this.queue.stop();
    await this.connection.close({ force: true });
    for (const t of this.tokens.splice(0)) t.close();
  }

  private async connected(): Promise<void> {
    if (this.stopped) return;
    const peer = this.connection.peer();
    if (!peer) return;
    // B01: register once per process; a reconnect afterwards resumes without a new BootNotification.
    while (!this.accepted) {
      const r = await sendBootNotification(peer, { station: this.o.station, reason: 'PowerUp', tracer: this.o.tracer }).catch((e: unknown) => {
        this.o.tracer.emit({ kind: 'error', party: 'charger', error: 'BootNotification', detail: e instanceof Error ? e.message : String(e) });
        return undefined;
      });
      if (!r) return; // connection lost; the next connect starts over
      if (r.status === 'Accepted') {
        this.accepted = true;
        await this.o.store.writeVariable(chargerVariableKey('heartbeatIntervalS'), String(r.intervalS));
        this.state.values.set(variableKeyStringOf('heartbeatIntervalS'), String(r.intervalS));
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, r.intervalS * 1000).unref());
      if (this.stopped || this.connection.peer() !== peer) return;
    }
    this.startHeartbeat();
    for (const e of this.evses) await this.reportStatus(e.evseId, this.connectorStatus.get(e.evseId) ?? 'Available');
    this.queue.kick();
    await this.refreshStapling();
  }

  private disconnected(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private startHeartbeat(): void {
    clearInterval(this.heartbeat);
    const s = this.variables().heartbeatIntervalS;
    if (s <= 0) return;
    this.heartbeat = setInterval(
      () => void this.trigger('Heartbeat').catch((e: unknown) => this.o.tracer.emit({ kind: 'error', party: 'charger', error: 'Heartbeat', detail: e instanceof Error ? e.message : String(e) })),
      s * 1000,
    );
    this.heartbeat.unref();
  }

  private async refreshStapling(): Promise<void> {
    clearTimeout(this.stapleTimer);
    const results = await this.stapling.refresh().catch((e: unknown) => {
      this.o.tracer.emit({ kind: 'error', party: 'charger', error: 'GetCertificateStatus', detail: e instanceof Error ? e.message : String(e) });
      return undefined;
    });
    if (this.stopped) return;
    // Failed or missing: try again in an hour; else when the response is half-way to its nextUpdate.
    const failed = !results || [...results.values()].some((r) => !['good', 'revoked', 'unknown', 'fresh'].includes(r));
    this.stapleTimer = setTimeout(() => void this.refreshStapling(), failed ? 3_600_000 : Math.max(60_000, this.stapling.nextRefreshInMs()));
    this.stapleTimer.unref();
  }

  private async reportStatus(evseId: number, status: ConnectorStatusEnumType): Promise<void> {
    this.connectorStatus.set(evseId, status);
    const peer = this.accepted ? this.connection.peer() : undefined;
    if (!peer) return; // sent again on reconnect
    await peer.call('StatusNotification', { timestamp: new Date(this.clock()).toISOString(), connectorStatus: status, evseId, connectorId: 1 }).catch((e: unknown) => {
      this.o.tracer.emit({ kind: 'error', party: 'charger', error: 'StatusNotification', detail: e instanceof Error ? e.message : String(e) });
    });
  }

  private async trigger(message: MessageTriggerEnumType): Promise<void> {
    const peer = this.connection.peer();
    if (!peer) return;
    if (message === 'Heartbeat') await peer.call('Heartbeat', {});
    else if (message === 'StatusNotification') for (const e of this.evses) await this.reportStatus(e.evseId, this.connectorStatus.get(e.evseId) ?? 'Available');
    else if (message === 'BootNotification') await sendBootNotification(peer, { station: this.o.station, reason: 'Triggered', tracer: this.o.tracer });
  }

  private variableChanged(key: string): void {
    if (key === variableKeyStringOf('heartbeatIntervalS') && this.heartbeat) this.startHeartbeat();
  }

  private async reloadTrust(): Promise<void> {
    const installed = await this.o.store.listCertificates();
    this.trust = createTrustStore(installed.filter((c) => c.use === 'V2GRootCertificate' || c.use === 'MORootCertificate').map((c) => ({ der: c.der, source: `${c.use} #${c.id}` })));
  }

  /** The TLS credential for a stored key: an encrypted PEM, or the RFC 7512 URI of a token key. */
  private async credentialOf(suite: TlsSuiteName, chain: readonly Buffer[], key: string): Promise<SeccCredential> {
    if (!isTokenKey(key)) return { suite, chain, keyPem: key, passphrase: this.o.passphrase };
    const t = await tokenTlsKey(key, chain, this.o.pkcs11?.defaults ?? {});
    this.tokens.push(t.token);
    return { suite, chain, ...t.key };
  }

  private readonly tokens: Pkcs11Token[] = [];

  private async installCredential(suite: TlsSuiteName, chain: readonly Buffer[], keyPem: string): Promise<void> {
    this.seccChains.set(suite, chain);
    this.secc?.replaceCredential(await this.credentialOf(suite, chain, keyPem));
    this.o.tracer.emit({ kind: 'verdict', party: 'charger', verdict: 'SECC certificate renewed', detail: `${suite}: new chain in use from the next TLS handshake` });
    await this.refreshStapling();
  }

  private clock(): number {
    return (this.o.clock ?? Date.now)();
  }
}

function variableKeyStringOf(field: keyof ChargerVariables): string {
  return variableKeyString(chargerVariableKey(field));
}

/** Seeds the store the first time: SECC credentials, roots and the ISO15118Ctrlr identity variables. */
async function firstStart(o: ChargingStationOptions): Promise<void> {
  const { store } = o;
  for (const c of o.firstStart.seccChains) {
    if (!(await store.seccCredential(c.suite))) await store.setSeccCredential({ suite: c.suite, chain: c.chain, key: c.keyPem });
  }
  if ((await store.listCertificates()).length === 0) for (const r of o.firstStart.roots) await store.addCertificate(r.use, r.der);
  const values = await store.readVariables();
  for (const [field, value] of Object.entries(o.firstStart.variables ?? {}) as [keyof ChargerVariables, string][]) {
    const key = chargerVariableKey(field);
    if (!values.has(variableKeyString(key))) await store.writeVariable(key, value);
  }
}
