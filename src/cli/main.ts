// The `pnc` command line. Exit codes: 0 success/valid, 1 failure/invalid, 2 usage error.
import { Command, CommanderError, Option } from 'commander';
import { benchExi, benchOcsp, benchSession, benchVerdict } from './benchCommands.js';
import { charger } from './chargerCommand.js';
import { CsmsStartError, registerCsmsCommands } from './csmsCommands.js';
import { registerMspCommands } from './mspCommands.js';
import { registerProcessorCommands } from './processorCommands.js';
import { registerCsmsLoadBench } from '../bench/csmsLoad/benchCommand.js';
import { CsmsConnectionConfigError } from '../charger/station/csmsConnectionError.js';
import { ChargerStoreError } from '../charger/store/chargerStoreError.js';
import { StoreError } from '../store/storeError.js';
import { dashboard, type DashboardCommandOptions } from './dashboardCommand.js';
import { demo, type DemoCommandOptions } from './demoCommand.js';
import { SCENARIO_CATALOGUE } from '../demo/scenarioCatalogue.js';
import { registerSizingCommand } from './sizingCommand.js';
import { ev } from './evCommand.js';
import { exiDecode, exiEncode } from './exiCommands.js';
import { Exit, UsageError, processIo, type CliIo } from './io.js';
import { ocspServe } from './ocspCommands.js';
import { isOperationalError, pkiInit, pkiIssueContract, pkiRevoke, pkiShow, pkiVerify } from './pkiCommands.js';

function signalled(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'];
/** --log-level for the commands that run a party (trace events as pino JSON on stderr). */
// `null`: no default (the command picks one); an explicit `undefined` would take the parameter's default.
const logLevelOption = (description = 'trace events on stderr', fallback: string | null = 'info'): Option => {
  const o = new Option('--log-level <LEVEL>', description).choices(LOG_LEVELS);
  return fallback === null ? o : o.default(fallback);
};
const keptPkiOption = (): Option => new Option('--pki <DIR>', 'keep the PKI in DIR (generated if absent, reused if present; needs --passphrase or PNC_PKI_PASSPHRASE)');
const keptPkiPassphraseOption = (): Option => new Option('--passphrase <P>', 'passphrase of the kept PKI');
const passphraseOption = (): Option => new Option('--passphrase <P>', 'key passphrase (or env PNC_PKI_PASSPHRASE)');
const keyLogOption = (): Option => new Option('--key-log <FILE>', 'append TLS secrets in SSLKEYLOGFILE format (Wireshark); for debugging only');

function build(io: CliIo, setResult: (p: Promise<number> | number) => void): Command {
  // Commander runs one action; it hands its (possibly pending) exit code to `run` through setResult.
  const program = new Command('pnc')
    .description('pnc-stack: ISO 15118 Plug & Charge — EV, charger, CSMS, OCSP responder and MSP on a real test PKI')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(run with --help for usage)');

  const pki = program.command('pki').description('test PKI: generate, issue, revoke, inspect, verify chains');
  pki
    .command('init')
    .description('generate the whole ISO 15118 test PKI (V2G/CPO, MO, OEM, vehicle, CPS, OCSP signers)')
    .requiredOption('--dir <DIR>', 'directory to write the PKI into')
    .addOption(new Option('--protocol <P>', 'hierarchies to generate').choices(['iso2', 'iso20', 'both']).default('both'))
    .option('--ocsp-url <URL>', 'OCSP URL written into the AIA of every non-root certificate', 'http://127.0.0.1:2560/ocsp')
    .option('--passphrase <P>', 'passphrase for the encrypted PKCS#8 keys (or env PNC_PKI_PASSPHRASE)')
    .option('--country <CC>', 'ISO 3166-1 country code of the subjects', 'DE')
    .option('--secc-id <ID>', 'CN of the SECC certificate')
    .option('--emaid <EMAID>', 'eMAID of the first contract certificate')
    .option('--force', 'replace an existing PKI in DIR')
    .action((o: Parameters<typeof pkiInit>[0]) => setResult(pkiInit(o, io)));
  pki
    .command('issue-contract')
    .description('issue a contract certificate for an eMAID under the MO Sub-CA 2 of each suite')
    .requiredOption('--dir <DIR>', 'PKI directory')
    .requiredOption('--emaid <EMAID>', 'the contract identifier (CN), e.g. DE-PNC-C00000002-G (check digit added if left off)')
    .addOption(new Option('--protocol <P>', 'only these suites').choices(['iso2', 'iso20', 'both']))
    .addOption(passphraseOption())
    .option('--not-before <ISO8601>', 'start of validity (default: an hour ago)')
    .option('--not-after <ISO8601>', 'end of validity (default: two years)')
    .option('--days <N>', 'validity in days from --not-before')
    .action((o: Parameters<typeof pkiIssueContract>[0]) => setResult(pkiIssueContract(o, io)));
  pki
    .command('revoke')
    .description('mark a certificate revoked; the OCSP responder reports it from its next request on')
    .requiredOption('--dir <DIR>', 'PKI directory')
    .argument('<CERT>', 'manifest id (iso2/cpo-sub2), eMAID, or certificate file')
    .option('--reason <R>', 'CRLReason, e.g. keyCompromise (default unspecified)')
    .option('--at <ISO8601>', 'revocation time (default now)')
    .action((cert: string, o: { dir: string; reason?: string; at?: string }) => setResult(pkiRevoke({ ...o, cert }, io)));
  pki
    .command('show')
    .description('print the fields of a certificate (PEM, PEM chain or DER)')
    .argument('<CERT>', 'certificate file')
    .option('--json', 'machine-readable output')
    .action((cert: string, o: { json?: boolean }) => setResult(pkiShow({ ...o, cert }, io)));
  pki
    .command('verify')
    .description('judge a chain as an ISO 15118 SECC/EV would: exit 0 valid, 1 invalid, 2 usage')
    .argument('[CHAIN]', 'PEM file: leaf first, then its sub-CAs in any order')
    .addOption(new Option('--protocol <P>', 'protocol rules to apply').choices(['iso2', 'iso20']))
    .option('--roots <PATH...>', 'trust anchors: PEM files or directories of them')
    .addOption(new Option('--role <ROLE>', 'what the leaf is').choices(['contract', 'secc', 'oem', 'vehicle', 'cps']).default('contract'))
    .option('--at <ISO8601>', 'judge at this time (default now)')
    .option('--emaid <EMAID>', 'eMAID the leaf CN must match')
    .option('--strict-emaid', 'refuse a wrong eMAID check digit (default: report it only)')
    .option('--ocsp', 'also ask each certificate’s OCSP responder (AIA) for its status')
    .option('--ocsp-timeout <MS>', 'OCSP time-out per request', '5000')
    .addOption(
      new Option('--ocsp-nonce <MODE>', 'send a nonce; require it back, or accept pre-produced answers without one')
        .choices(['prefer', 'require', 'off'])
        .default('prefer'),
    )
    .option('--json', 'print the verdict as JSON')
    .action((chain: string | undefined, o: Parameters<typeof pkiVerify>[0]) => setResult(pkiVerify({ ...o, ...(chain ? { chain } : {}) }, io)));

  const ocsp = program.command('ocsp').description('OCSP responder');
  ocsp
    .command('serve')
    .description('RFC 6960 responder (POST and GET) for every CA of a PKI directory')
    .requiredOption('--dir <DIR>', 'PKI directory')
    .option('--host <HOST>', 'address to listen on', '127.0.0.1')
    .option('--port <N>', 'port (default: the port of the PKI’s OCSP URL)')
    .option('--validity <SECONDS>', 'nextUpdate − thisUpdate', '3600')
    .addOption(logLevelOption('trace events on stderr: info logs every response'))
    .addOption(passphraseOption())
    .action((o: Parameters<typeof ocspServe>[0]) => setResult(ocspServe(o, io, signalled())));

  program
    .command('charger')
    .description('a charger’s SECC: ISO 15118-2 (TLS 1.2) and -20 (TLS 1.3, mutual) on one port, SDP, PnC and EIM')
    .requiredOption('--pki <DIR>', 'PKI directory (charger/<suite>/keystore and truststore)')
    .option('--host <ADDR>', 'address to listen on', '::')
    .option('--tls-port <N>', 'TCP port of the V2G server (0: any free one)', '0')
    .option('--no-sdp', 'do not answer SDP')
    .option('--sdp-interface <IFACE>', 'answer SDP on this interface (UDP 15118, multicast FF02::1)')
    .option('--sdp-bind <ADDR>', 'answer SDP on this unicast address instead (tests, peers without multicast)')
    .option('--sdp-port <N>', 'UDP port of the SDP server', '15118')
    .option('--csms <URL>', 'the CSMS (OCPP 2.0.1): ws://… (security profile 1) or wss://… (2, or 3 with --client-cert); the identity is appended')
    .option('--standalone', 'decide with local chain verdicts only, no CSMS')
    .option('--id <IDENTITY>', 'the station identity at the CSMS', 'PNC-CS-1')
    .option('--db <URL>', 'state store: sqlite:FILE or postgres://… (default sqlite:<pki>/charger/state.db)')
    .addOption(new Option('--security-profile <N>', 'OCPP security profile (default from the URL)').choices(['1', '2', '3']))
    .option('--basic-auth-password <PW>', 'profiles 1 and 2 (or PNC_CSMS_PASSWORD)')
    .option('--csms-ca <PEM>', 'profiles 2 and 3: the CSMS server certificate must chain to these roots')
    .option('--client-cert <PEM>', 'profile 3: the station certificate chain (mutual TLS)')
    .option('--client-key <PEM>', 'profile 3: its private key (PKCS#8, encrypted with the passphrase)')
    .option('--evses <N>', 'EVSEs behind this SECC (each V2G session takes a free one)', '1')
    .option('--secc-token <URI>', 'PKCS#11 token (RFC 7512 URI, e.g. pkcs11:token=secc) for renewed SECC keys: generated non-extractable, used by TLS via the OpenSSL pkcs11 engine; PIN from PNC_PKCS11_PIN')
    .option('--pkcs11-module <SO>', 'PKCS#11 module for --secc-token (e.g. /usr/lib/softhsm/libsofthsm2.so)')
    .option('--allow-plain', 'also accept plain TCP sessions (EIM only; PnC is never offered without TLS)')
    .option('--eim-after <MS>', 'standalone: accept EIM this long after it is first asked (simulated RFID tap)')
    .option('--evse-id <ID>', 'EVSEID (default: the SECC certificate CN)')
    .addOption(keyLogOption())
    .addOption(logLevelOption())
    .addOption(passphraseOption())
    .action((o: Parameters<typeof charger>[0]) => setResult(charger(o, io, signalled())));
  registerCsmsCommands(program, io, setResult, signalled);
  const msp = registerMspCommands(program, io, setResult, signalled);
  registerProcessorCommands(msp, io, setResult, signalled);

  program
    .command('ev')
    .description('one EV session to SessionStop; exit 0 only if it was authorised and charged')
    .requiredOption('--pki <DIR>', 'PKI directory (ev/<suite>/keystore and truststore)')
    .option('--secc <HOST:PORT>', 'the charger’s V2G server')
    .option('--sdp <HOST:PORT>', 'find the charger by SDP sent to this unicast address')
    .option('--sdp-interface <IFACE>', 'find the charger by SDP multicast on this interface')
    .addOption(new Option('--protocol <P>', 'ISO 15118 part').choices(['iso2', 'iso20']).default('iso2'))
    .addOption(new Option('--suite <S>', '-20 certificate suite').choices(['iso2', 'iso20-p521', 'iso20-ed448']))
    .addOption(new Option('--auth <A>', 'identification').choices(['pnc', 'eim']).default('pnc'))
    .addOption(new Option('--energy <E>', 'energy transfer').choices(['ac', 'dc']).default('ac'))
    .option('--emaid <EMAID>', 'which contract of the EV’s keystore (default: the first)')
    .option('--no-tls', 'plain TCP (the charger then offers no PnC)')
    .option('--misbehave <M>', 'test the charger: replay-challenge, corrupt-signature, tamper-signed-element, out-of-order, forge-session-id, garbage-exi, bad-v2gtp-header, oversize-payload')
    .addOption(keyLogOption())
    .option('--json', 'print the result as JSON')
    .addOption(logLevelOption('trace events on stderr (default info; silent with --json)', null))
    .addOption(passphraseOption())
    .action((o: Parameters<typeof ev>[0]) => setResult(ev(o, io)));

  const exi = program.command('exi').description('ISO 15118 / DIN 70121 EXI streams to JSON and back');
  const schemaOption = (): Option =>
    new Option('--schema <S>', 'schema set').choices(['appHandshake', 'din', 'iso2', 'iso20', 'iso20-ac', 'iso20-dc', 'iso20-wpt', 'iso20-acdp', 'xmldsig']).makeOptionMandatory();
  exi
    .command('decode')
    .description('hex EXI streams (arguments, or one per stdin line) to one JSON document per line')
    .argument('[HEX...]', 'EXI streams in hex (default: read stdin)')
    .addOption(schemaOption())
    .option('--fragment', 'the streams are EXI fragments (signature digests): print a JSON array of elements')
    .option('--v2gtp', 'each stream starts with an 8-byte V2GTP header')
    .action((hex: string[], o: Parameters<typeof exiDecode>[1]) => setResult(exiDecode(hex, o, io)));
  exi
    .command('encode')
    .description('JSON documents (arguments, or one per stdin line) to hex EXI streams, one per line')
    .argument('[JSON...]', 'JSON documents, e.g. {"SessionSetupReq":{...}} (default: read stdin)')
    .addOption(schemaOption())
    .option('--fragment', 'each JSON is an array of fragment elements')
    .action((json: string[], o: Parameters<typeof exiEncode>[1]) => setResult(exiEncode(json, o, io)));

  const bench = program.command('bench').description('measured throughput beside its anchor');
  bench
    .command('verdict')
    .description('contract chain verdicts/s, cold and cached, against `openssl speed` verify/s')
    .option('--seconds <N>', 'measuring time per mode', '5')
    .addOption(new Option('--suite <S>', 'which PKI suite').choices(['iso2', 'iso20-p521', 'iso20-ed448', 'all']).default('iso2'))
    .option('--json', 'print the rows as JSON')
    .action((o: Parameters<typeof benchVerdict>[0]) => setResult(benchVerdict(o, io)));
  bench
    .command('session')
    .description('plug-in → AuthorizationRes Finished latency (p50/p99) and sessions/s with concurrent EVs, beside the crypto floor')
    .addOption(new Option('--suite <S>', 'certificate suite').choices(['iso2', 'iso20-p521', 'iso20-ed448', 'all']).default('all'))
    .option('--sessions <N>', 'sequential sessions for the percentiles', '200')
    .option('--concurrency <N>', 'EVs at once for the throughput run', '50')
    .option('--seconds <N>', 'duration of the throughput run', '5')
    .option('--json', 'print the result as JSON')
    .action((o: Parameters<typeof benchSession>[0]) => setResult(benchSession(o, io)));
  bench
    .command('ocsp')
    .description('OCSP responses/s of `pnc ocsp serve` against `openssl ocsp` under the same load')
    .option('--seconds <N>', 'measuring time per case', '5')
    .option('--connections <N>', 'concurrent client connections', '32')
    .option('--json', 'print the result as JSON')
    .action((o: Parameters<typeof benchOcsp>[0]) => setResult(benchOcsp(o, io)));
  bench
    .command('exi')
    .description('µs per EXI decode and encode of typical ISO 15118 messages, against the C reference (libcbv2g)')
    .option('--seconds <N>', 'total measuring time', '8')
    .option('--json', 'print the rows as JSON')
    .action((o: Parameters<typeof benchExi>[0]) => setResult(benchExi(o, io)));
  registerCsmsLoadBench(bench, io, setResult);

  program
    .command('demo')
    .description('run every scenario through all five parties (real servers on 127.0.0.1) and print each sequence and a summary')
    .option('--scenario <NAME>', 'one scenario, or all', 'all')
    .option('--json', 'print { scenarios: [...] } as JSON (progress on stderr)')
    .option('--ui', 'also serve the live dashboard while the scenarios run (and after, until Ctrl-C)')
    .option('--ui-port <N>', 'dashboard port (default: any free one)')
    .addOption(keptPkiOption())
    .addOption(keptPkiPassphraseOption())
    .addHelpText('after', `\nScenarios (in this order):\n${SCENARIO_CATALOGUE.map((x) => `  ${x.name.padEnd(27)}${x.description}`).join('\n')}\n`)
    .action((o: DemoCommandOptions) => setResult(demo(o, io)));

  program
    .command('dashboard')
    .description('serve the live sequence-diagram dashboard with the loopback system behind it; start scenarios from the page')
    .option('--host <HOST>', 'address to listen on (only loopback hosts are answered unless you bind elsewhere)', '127.0.0.1')
    .option('--port <N>', 'port', '8080')
    .option('--run <NAMES>', 'scenarios to run at once: all, or names separated by commas')
    .addOption(keptPkiOption())
    .addOption(keptPkiPassphraseOption())
    .action((o: DashboardCommandOptions) => setResult(dashboard(o, io)));
  registerSizingCommand(program, io, setResult);
  return program;
}

export async function run(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const outcome: { result: Promise<number> | number } = { result: Exit.ok };
  const program = build(io, (r) => {
    outcome.result = r;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return await outcome.result;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with exit code 0.
      return e.exitCode === 0 ? Exit.ok : Exit.usage;
    }
    if (e instanceof UsageError || e instanceof CsmsConnectionConfigError) {
      io.err(`pnc: ${e.message}\n`);
      return Exit.usage;
    }
    if (isOperationalError(e) || e instanceof StoreError || e instanceof ChargerStoreError || e instanceof CsmsStartError) {
      io.err(`pnc: ${e.message}\n`);
      return Exit.failed;
    }
    throw e;
  }
}
