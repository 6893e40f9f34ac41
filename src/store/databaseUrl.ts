// The database URL chooses the dialect: `sqlite:FILE`, `sqlite:///ABSOLUTE/FILE`, `sqlite::memory:` (embedded, the
// default) or `postgres://…` / `postgresql://…` (several nodes sharing one database). Pure, so it is table-tested.
import { StoreError } from './storeError.js';

export type StoreDialect = 'sqlite' | 'postgres';

export type DatabaseLocation =
  | { readonly dialect: 'sqlite'; /** File path, or ':memory:'. */ readonly file: string }
  | { readonly dialect: 'postgres'; readonly connectionString: string };

const MAX_URL_LENGTH = 4096;

export function parseDatabaseUrl(url: string): DatabaseLocation {
  if (typeof url !== 'string' || url.length === 0) throw new StoreError('bad-url', 'database URL is empty');
  if (url.length > MAX_URL_LENGTH) throw new StoreError('bad-url', `database URL is longer than ${MAX_URL_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\u0000-\u001f\u007f]/.test(url)) throw new StoreError('bad-url', 'database URL contains a control character');

  if (url.startsWith('sqlite:')) return { dialect: 'sqlite', file: sqliteFile(url.slice('sqlite:'.length)) };
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { dialect: 'postgres', connectionString: postgresUrl(url) };

  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1];
  throw new StoreError(
    'bad-url',
    scheme === undefined
      ? `database URL "${redactDatabaseUrl(url)}" has no scheme: write sqlite:FILE, sqlite::memory: or postgres://…`
      : `unsupported database scheme "${scheme}:" (supported: sqlite:, postgres://, postgresql://)`,
  );
}

function sqliteFile(rest: string): string {
  if (rest === ':memory:') return ':memory:';
  if (rest.startsWith('//')) {
    // Only the host-less form sqlite:///abs/path: a host means nothing for an embedded file.
    if (!rest.startsWith('///')) throw new StoreError('bad-url', 'sqlite:// URL names a host; write sqlite:PATH or sqlite:///ABSOLUTE/PATH');
    rest = rest.slice(2);
  }
  if (rest === '' || rest === '/') throw new StoreError('bad-url', 'sqlite: URL names no file');
  if (rest.startsWith(':') || rest.startsWith('file:')) {
    throw new StoreError('bad-url', `sqlite: URL "${rest}" is neither a file path nor :memory:`);
  }
  return rest;
}

function postgresUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreError('bad-url', `malformed PostgreSQL URL "${redactDatabaseUrl(url)}"`);
  }
  // A host, or a unix-socket directory in ?host=, is required: pg would otherwise silently pick localhost defaults.
  if (parsed.hostname === '' && !parsed.searchParams.get('host')) {
    throw new StoreError('bad-url', `PostgreSQL URL "${redactDatabaseUrl(url)}" names no host (or ?host=SOCKET_DIR)`);
  }
  if (parsed.pathname.slice(1).includes('/')) throw new StoreError('bad-url', `PostgreSQL URL "${redactDatabaseUrl(url)}" has a path that is not a database name`);
  return url;
}

/** The URL with its password (if any) replaced, for logs and error messages. */
export function redactDatabaseUrl(url: string): string {
  // Everything between "scheme://" and the authority's last "@" may hold credentials; keep only the user name.
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)@/, (_m, scheme: string, credentials: string) => {
    const user = credentials.split(':')[0] ?? '';
    return credentials.includes(':') ? `${scheme}${user}:***@` : `${scheme}${credentials}@`;
  });
}
