// `pnc ev`: one EV session to SessionStop against a charger (ours or another stack's). Exit 0 only if the session was
// authorised and charged.
import { evStore } from '../pki/generator/partyStores.js';
import { PkiDirectory } from '../pki/generator/pkiDirectory.js';
import type { Suite } from '../pki/generator/testPki.js';
import { createTrustStore } from '../pki/verdict/trustStore.js';
import { runEvSession, type EvSessionOptions } from '../ev/evSession.js';
import { misbehaviour, MISBEHAVIOURS, type MisbehaviourName } from '../ev/misbehaviourSwitch.js';
import { Tracer } from '../trace/tracer.js';
import { Exit, UsageError, type CliIo } from './io.js';
import { resolvePassphrase } from './passphrase.js';

export interface EvArgs {
  pki: string;
  secc?: string;
  sdp?: string;
  sdpInterface?: string;
  protocol?: string;
  suite?: string;
  auth?: string;
  energy?: string;
  emaid?: string;
  tls?: boolean;
  keyLog?: string;
  passphrase?: string;
  json?: boolean;
  logLevel?: string;
  misbehave?: string;
}

function hostPort(value: string, option: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port > 0 && port < 65536)) throw new UsageError(`${option} expects HOST:PORT (IPv6 as [addr]:port)`);
  return { host: m[1]!, port };
}

export async function ev(a: EvArgs, io: CliIo): Promise<number> {
  const targets = [a.secc, a.sdp, a.sdpInterface].filter((x) => x !== undefined);
  if (targets.length !== 1) throw new UsageError('give exactly one of --secc HOST:PORT, --sdp HOST:PORT, --sdp-interface IFACE');
  const protocol = a.protocol ?? 'iso2';
  if (protocol !== 'iso2' && protocol !== 'iso20') throw new UsageError('--protocol is iso2 or iso20');
  const suite = a.suite ?? (protocol === 'iso2' ? 'iso2' : 'iso20-ed448');
  if (protocol === 'iso2' ? suite !== 'iso2' : suite !== 'iso20-p521' && suite !== 'iso20-ed448') throw new UsageError(`--suite ${suite} does not fit --protocol ${protocol}`);
  const pkiSuite = suite as Suite;
  const auth = a.auth ?? 'pnc';
  if (auth !== 'pnc' && auth !== 'eim') throw new UsageError('--auth is pnc or eim');
  const energy = a.energy ?? 'ac';
  if (energy !== 'ac' && energy !== 'dc') throw new UsageError('--energy is ac or dc');
  PkiDirectory.open(a.pki);
  const store = evStore(a.pki, pkiSuite);
  const passphrase = resolvePassphrase(a.passphrase, io);
  const level = a.logLevel ?? (a.json ? 'silent' : 'info');
  if (!['trace', 'debug', 'info', 'warn', 'error', 'silent'].includes(level)) throw new UsageError(`unknown --log-level ${level}`);
  const vehicle = store.vehicle();
  const options: EvSessionOptions = {
    secc: a.secc ? hostPort(a.secc, '--secc') : { sdp: a.sdp ? hostPort(a.sdp, '--sdp') : { interface: a.sdpInterface! } },
    protocol: protocol,
    security: a.tls === false ? 'none' : 'tls',
    auth,
    energy,
    ...(auth === 'pnc' ? { contract: store.contract(a.emaid, passphrase) } : {}),
    ...(vehicle && protocol === 'iso20' ? { vehicle: { keyPem: vehicle.keyPem, passphrase, chain: vehicle.chain } } : {}),
    seccTrust: createTrustStore(store.v2gRoots),
    tracer: new Tracer({ party: 'ev', level: level as 'info' }),
    ...(a.keyLog ? { keyLogFile: a.keyLog } : {}),
  };
  let r;
  if (a.misbehave !== undefined) {
    if (!(MISBEHAVIOURS as readonly string[]).includes(a.misbehave)) throw new UsageError(`--misbehave is one of ${MISBEHAVIOURS.join(', ')}`);
    const name = a.misbehave as MisbehaviourName;
    // A replay needs what the EV signed in an earlier session: run a good one first.
    const earlier = name === 'replay-challenge' ? (await runEvSession(options)).signedAuthorization : undefined;
    if (name === 'replay-challenge' && !earlier) {
      io.err('pnc: nothing to replay: the first session signed no AuthorizationReq (PnC must get that far)\n');
      return Exit.failed;
    }
    r = await runEvSession({ ...options, misbehave: misbehaviour(name, earlier) });
  } else {
    r = await runEvSession(options);
  }
  const ok = r.authorized && r.charged;
  if (a.json) io.out(`${JSON.stringify({ ok, ...r, signedAuthorization: undefined, authorizedAt: undefined })}\n`);
  else {
    io.out(`${ok ? 'charged' : 'not charged'}: ${r.outcome}${r.tls ? ` (${r.tls.version} ${r.tls.cipher})` : a.tls === false ? ' (plain TCP)' : ''}\n`);
    for (const [message, code] of Object.entries(r.responseCodes)) io.out(`  ${message.padEnd(28)} ${code}\n`);
    if (r.plugInToAuthorizedMs !== undefined) io.out(`  plug-in → authorized ${r.plugInToAuthorizedMs.toFixed(1)} ms\n`);
  }
  return ok ? Exit.ok : Exit.failed;
}
