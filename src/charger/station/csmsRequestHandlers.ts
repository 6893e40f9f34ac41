// What the station answers when the CSMS calls it. Each handler reads the state, asks the pure decision function
// (device model, local list, certificate inventory, signed chain) and writes what the decision says — nothing else.
// Actions not listed here get ocpp-rpc's NotImplemented CALLERROR.
import type {
  GetVariableResultType,
  MessageTriggerEnumType,
  SetVariableResultType,
  TriggerMessageResponse,
} from '../../ocpp/generated/ocpp201.js';
import type { OcppHandler } from '../../ocpp/ocppPeer.js';
import type { Ocpp201Action } from '../../ocpp/generated/ocpp201.js';
import type { Tracer } from '../../trace/tracer.js';
import { deleteCertificate, getInstalledCertificateIds, installCertificate, readInventory } from '../certificates/installedCertificates.js';
import { readChargerVariables, type ChargerVariables } from '../deviceModel/chargerVariables.js';
import { decideGetVariable } from '../deviceModel/getVariablesDecision.js';
import { decideSetVariable } from '../deviceModel/setVariablesDecision.js';
import { definitionKey, VARIABLE_CATALOGUE } from '../deviceModel/variableCatalogue.js';
import { localListKey } from '../localList/localListKey.js';
import { decideLocalListUpdate } from '../localList/localListUpdate.js';
import { variableKeyString, type ChargerStateStore, type TlsSuiteName } from '../store/chargerStateStore.js';
import type { SeccRenewal } from './seccRenewal.js';

export interface StationState {
  readonly store: ChargerStateStore;
  /** The stored variable values (kept in memory, written through). */
  readonly values: Map<string, string>;
  readonly suites: readonly TlsSuiteName[];
  readonly renewal: SeccRenewal;
  readonly clock: () => number;
  readonly tracer: Tracer;
  /** Installed roots changed: rebuild the contract trust store. */
  rootsChanged(): void;
  /** A variable the running station acts on changed (HeartbeatInterval, BasicAuthPassword…). */
  variableChanged(key: string, reconnect: boolean): void;
  /** TriggerMessage for a message the station sends (BootNotification, Heartbeat, StatusNotification). */
  trigger(message: MessageTriggerEnumType): Promise<void>;
}

type Register = <A extends Ocpp201Action>(action: A, handler: OcppHandler<A>) => void;

const key = (d: (typeof VARIABLE_CATALOGUE)[number]): string => variableKeyString(definitionKey(d));

export function variablesOf(s: Pick<StationState, 'values'>): ChargerVariables {
  return readChargerVariables(s.values);
}

export function registerCsmsRequestHandlers(handle: Register, s: StationState): void {
  handle('SetVariables', async (request) => {
    const results: SetVariableResultType[] = [];
    // In order, each against the values the previous items left.
    for (const item of request.setVariableData) {
      const d = decideSetVariable(item, s.values);
      if (d.store?.changed) {
        await s.store.writeVariable(d.store.key, d.store.value);
        s.values.set(variableKeyString(d.store.key), d.store.value);
        s.variableChanged(variableKeyString(d.store.key), d.reconnect ?? false);
      }
      results.push(d.result);
    }
    return { setVariableResult: results };
  });

  handle('GetVariables', async (request) => {
    const computed = await computedValues(s);
    const results: GetVariableResultType[] = request.getVariableData.map((item) => decideGetVariable(item, s.values, computed));
    return { getVariableResult: results };
  });

  handle('InstallCertificate', async (request) => {
    const inventory = await inventoryOf(s);
    const d = installCertificate(request, inventory, { maxEntries: MAX_INSTALLED_CERTIFICATES, at: s.clock() });
    if (d.outcome === 'install') {
      await s.store.addCertificate(d.use, d.der);
      s.rootsChanged();
    }
    s.tracer.emit({ kind: 'check', party: 'charger', check: 'InstallCertificate', ok: d.response.status === 'Accepted', detail: `${request.certificateType}: ${d.outcome}${'detail' in d ? ` (${d.detail})` : ''}` });
    return d.response;
  });

  handle('DeleteCertificate', async (request) => {
    const d = deleteCertificate(request, await inventoryOf(s));
    if (d.outcome === 'delete') {
      for (const id of d.removeIds) await s.store.removeCertificate(id);
      s.rootsChanged();
    }
    const note = d.outcome === 'delete' && d.anchorsSeccChainOf.length ? `; it anchored the SECC chain of ${d.anchorsSeccChainOf.join(', ')}` : '';
    s.tracer.emit({ kind: 'check', party: 'charger', check: 'DeleteCertificate', ok: d.response.status === 'Accepted', detail: `${d.outcome}${note}` });
    return d.response;
  });

  handle('GetInstalledCertificateIds', async (request) => getInstalledCertificateIds(request, await inventoryOf(s)));

  handle('SendLocalList', async (request) => {
    const v = variablesOf(s);
    const present = new Set<string>();
    for (const e of request.localAuthorizationList ?? []) if (await s.store.localListEntry(e.idToken)) present.add(localListKey(e.idToken));
    const d = decideLocalListUpdate({
      request,
      current: { version: await s.store.localListVersion(), size: await s.store.localListSize() },
      limits: { enabled: v.localAuthListEnabled, itemsPerMessage: v.localAuthListItemsPerMessage, bytesPerMessage: v.localAuthListBytesPerMessage, maxEntries: v.localAuthListMaxEntries },
      present,
    });
    if (d.status !== 'Accepted') return { status: d.status, statusInfo: d.statusInfo };
    if (d.apply.kind === 'replace') await s.store.replaceLocalList(d.apply.version, d.apply.upserts);
    else await s.store.updateLocalList(d.apply.version, d.apply.upserts, d.apply.removals);
    s.tracer.emit({ kind: 'check', party: 'charger', check: 'SendLocalList', ok: true, detail: `${request.updateType} version ${d.apply.version}: ${d.entriesAfter} entries` });
    return { status: 'Accepted' };
  });

  handle('GetLocalListVersion', async () => ({ versionNumber: await s.store.localListVersion() }));

  handle('CertificateSigned', (request) => s.renewal.certificateSigned(request));

  handle('TriggerMessage', (request): TriggerMessageResponse => {
    const message = request.requestedMessage;
    if (message === 'SignV2GCertificate') {
      if (!variablesOf(s).v2gCertificateInstallationEnabled) return { status: 'Rejected', statusInfo: { reasonCode: 'NotEnabled', additionalInfo: 'ISO15118Ctrlr.V2GCertificateInstallationEnabled is false' } };
      // Answer first, then send SignCertificate for each SECC suite (the CSMS expects the request after the response).
      setImmediate(() => void renewAll(s));
      return { status: 'Accepted' };
    }
    if (message === 'BootNotification' || message === 'Heartbeat' || message === 'StatusNotification') {
      setImmediate(() => void s.trigger(message).catch((e: unknown) => s.tracer.emit({ kind: 'error', party: 'charger', error: `triggered ${message}`, detail: e instanceof Error ? e.message : String(e) })));
      return { status: 'Accepted' };
    }
    return { status: 'NotImplemented' };
  });
}

/** How many roots the charger keeps (InstallCertificate answers Failed beyond). */
export const MAX_INSTALLED_CERTIFICATES = 64;

async function renewAll(s: StationState): Promise<void> {
  for (const suite of s.suites) {
    try {
      await s.renewal.request(suite);
    } catch (e) {
      // One suite failing (no CSMS, settings missing) must not stop the others; each failure is reported.
      s.tracer.emit({ kind: 'error', party: 'charger', error: 'SignCertificate', detail: `${suite}: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
}

async function inventoryOf(s: StationState) {
  const chains = [];
  for (const suite of s.suites) {
    const c = await s.store.seccCredential(suite);
    if (c) chains.push({ suite, chain: c.chain });
  }
  return readInventory(await s.store.listCertificates(), chains);
}

async function computedValues(s: StationState): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const d of VARIABLE_CATALOGUE) {
    if (!d.computed) continue;
    if (d.component === 'LocalAuthListCtrlr' && d.variable === 'Entries') out.set(key(d), String(await s.store.localListSize()));
    if (d.component === 'SecurityCtrlr' && d.variable === 'CertificateEntries') out.set(key(d), String((await s.store.listCertificates()).length));
  }
  return out;
}
