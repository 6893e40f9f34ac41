// `pnc csms station add|add-many|list|remove|set-password|set-profile`: the stations a CSMS admits, with their
// Basic-auth passwords (profiles 1 and 2) and minimum security profile, in the CSMS database. Output is JSON: one
// object per command, one line per station for `list`. Passwords are printed once, when set; the database keeps only
// a salted hash.
import { Option, type Command } from 'commander';
import { StationRegistry, type SecurityProfile, type StationRecord } from '../csms/stations/stationRegistry.js';
import { StationRegistryError } from '../csms/stations/stationRegistryError.js';
import { openDatabase } from '../store/index.js';
import { Exit, UsageError, type CliIo } from './io.js';

type SetResult = (p: Promise<number> | number) => void;

const PROFILES = ['1', '2', '3'] as const;

async function withRegistry(url: string, f: (registry: StationRegistry) => Promise<number>): Promise<number> {
  const store = await openDatabase<unknown>(url);
  try {
    return await f(await StationRegistry.open(store));
  } finally {
    await store.close();
  }
}

/** Bad input is a usage error (exit 2); a missing or duplicate station is a failed command (exit 1). */
async function guarded(io: CliIo, f: () => Promise<number>): Promise<number> {
  try {
    return await f();
  } catch (e) {
    if (!(e instanceof StationRegistryError)) throw e;
    if (e.code === 'exists' || e.code === 'not-found') {
      io.err(`pnc: ${e.message}\n`);
      return Exit.failed;
    }
    throw new UsageError(e.message);
  }
}

function profileOf(value: string | undefined): SecurityProfile | undefined {
  return value === undefined ? undefined : (Number(value) as SecurityProfile);
}

function countOf(value: string): number {
  if (!/^[1-9][0-9]{0,6}$/.test(value)) throw new UsageError(`--count must be a positive integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

function shown(r: StationRecord): Record<string, unknown> {
  return {
    id: r.id,
    minSecurityProfile: r.minSecurityProfile,
    createdAt: r.createdAt,
    ...(r.boot ? { boot: r.boot } : {}),
    ...(r.lastSeen !== undefined ? { lastSeen: r.lastSeen } : {}),
    ...(r.connectedNode !== undefined ? { connectedNode: r.connectedNode, connectedAt: r.connectedAt } : {}),
  };
}

export function registerCsmsStationCommands(csms: Command, io: CliIo, setResult: SetResult): void {
  const print = (value: unknown): void => io.out(`${JSON.stringify(value)}\n`);
  const station = csms.command('station').description('charging stations the CSMS admits, their passwords and minimum security profile');
  const dbOption = (): Option => new Option('--db <URL>', 'CSMS database: sqlite:FILE or postgres://…').makeOptionMandatory();
  const profileOption = (description: string): Option => new Option('--min-security-profile <N>', description).choices([...PROFILES]);

  station
    .command('add')
    .description('register a station; prints {"id","password"} (a 32-character password is generated unless given)')
    .argument('<ID>', 'the station identity (1–48 of A–Z a–z 0–9 * - _ = + | @ .)')
    .addOption(dbOption())
    .option('--password <P>', 'Basic-auth password, 16–40 printable ASCII characters')
    .addOption(profileOption('refuse connections below this security profile').default('1'))
    .action((id: string, o: { db: string; password?: string; minSecurityProfile?: string }) =>
      setResult(
        guarded(io, () =>
          withRegistry(o.db, async (r) => {
            const password = await r.add(id, { ...(o.password !== undefined ? { password: o.password } : {}), minSecurityProfile: profileOf(o.minSecurityProfile) ?? 1 });
            print({ id, password });
            return Exit.ok;
          }),
        ),
      ),
    );

  station
    .command('add-many')
    .description('register PREFIX1 … PREFIXN with one password (load tests); existing ones get the password')
    .addOption(dbOption())
    .requiredOption('--prefix <P>', 'id prefix, e.g. LOAD-')
    .requiredOption('--count <N>', 'how many stations')
    .requiredOption('--password <P>', 'the Basic-auth password of all of them')
    .addOption(profileOption('refuse connections below this security profile').default('1'))
    .action((o: { db: string; prefix: string; count: string; password: string; minSecurityProfile?: string }) =>
      setResult(
        guarded(io, () => {
          const count = countOf(o.count);
          return withRegistry(o.db, async (r) => {
            await r.addMany(o.prefix, count, o.password, { minSecurityProfile: profileOf(o.minSecurityProfile) ?? 1 });
            print({ prefix: o.prefix, count, first: `${o.prefix}1`, last: `${o.prefix}${count}` });
            return Exit.ok;
          });
        }),
      ),
    );

  station
    .command('list')
    .description('every station as one JSON line (no passwords)')
    .addOption(dbOption())
    .option('--prefix <P>', 'only ids starting with this')
    .action((o: { db: string; prefix?: string }) =>
      setResult(
        withRegistry(o.db, async (r) => {
          for (const record of await r.list(o.prefix !== undefined ? { prefix: o.prefix } : {})) print(shown(record));
          return Exit.ok;
        }),
      ),
    );

  station
    .command('remove')
    .description('unregister a station (its next connection is refused); exit 1 if it was not registered')
    .argument('<ID>', 'the station identity')
    .addOption(dbOption())
    .action((id: string, o: { db: string }) =>
      setResult(
        guarded(io, () =>
          withRegistry(o.db, async (r) => {
            const removed = await r.remove(id);
            print({ id, removed });
            if (!removed) io.err(`pnc: station ${id} is not registered\n`);
            return removed ? Exit.ok : Exit.failed;
          }),
        ),
      ),
    );

  station
    .command('set-password')
    .description('replace a station’s password; prints {"id","password"} (generated unless given)')
    .argument('<ID>', 'the station identity')
    .addOption(dbOption())
    .option('--password <P>', 'the new Basic-auth password, 16–40 printable ASCII characters')
    .action((id: string, o: { db: string; password?: string }) =>
      setResult(
        guarded(io, () =>
          withRegistry(o.db, async (r) => {
            print({ id, password: await r.setPassword(id, o.password) });
            return Exit.ok;
          }),
        ),
      ),
    );

  station
    .command('set-profile')
    .description('change the lowest security profile the station may connect with')
    .argument('<ID>', 'the station identity')
    .addOption(dbOption())
    .addOption(profileOption('1, 2 or 3').makeOptionMandatory())
    .action((id: string, o: { db: string; minSecurityProfile: string }) =>
      setResult(
        guarded(io, () =>
          withRegistry(o.db, async (r) => {
            const profile = profileOf(o.minSecurityProfile) ?? 1;
            await r.setMinSecurityProfile(id, profile);
            print({ id, minSecurityProfile: profile });
            return Exit.ok;
          }),
        ),
      ),
    );
}
