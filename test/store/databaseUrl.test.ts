import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl, redactDatabaseUrl, StoreError, type DatabaseLocation } from '../../src/store/index.js';

describe('parseDatabaseUrl: the URL chooses the dialect', () => {
  const good: [string, DatabaseLocation][] = [
    ['sqlite::memory:', { dialect: 'sqlite', file: ':memory:' }],
    ['sqlite:charger.db', { dialect: 'sqlite', file: 'charger.db' }],
    ['sqlite:./state/charger.db', { dialect: 'sqlite', file: './state/charger.db' }],
    ['sqlite:/var/lib/pnc/charger.db', { dialect: 'sqlite', file: '/var/lib/pnc/charger.db' }],
    ['sqlite:///var/lib/pnc/charger.db', { dialect: 'sqlite', file: '/var/lib/pnc/charger.db' }],
    ['sqlite:with space.db', { dialect: 'sqlite', file: 'with space.db' }],
    ['postgres://pnc:secret@db.example:5432/pnc', { dialect: 'postgres', connectionString: 'postgres://pnc:secret@db.example:5432/pnc' }],
    ['postgresql://127.0.0.1/pnc', { dialect: 'postgres', connectionString: 'postgresql://127.0.0.1/pnc' }],
    ['postgres:///pnc?host=/run/postgresql', { dialect: 'postgres', connectionString: 'postgres:///pnc?host=/run/postgresql' }],
  ];
  it.each(good)('%s', (url, expected) => {
    expect(parseDatabaseUrl(url)).toEqual(expected);
  });

  const bad: [string, RegExp][] = [
    ['', /empty/],
    ['charger.db', /no scheme/],
    ['/var/lib/pnc/charger.db', /no scheme/],
    ['mysql://root@localhost/pnc', /unsupported database scheme "mysql:"/],
    ['file:charger.db', /unsupported database scheme "file:"/],
    ['sqlite:', /names no file/],
    ['sqlite:///', /names no file/],
    ['sqlite://host/charger.db', /names a host/],
    ['sqlite::memory', /neither a file path nor :memory:/],
    ['sqlite:file:x.db?mode=ro', /neither a file path nor :memory:/],
    ['sqlite:a\u0000b.db', /control character/],
    ['sqlite:a\nb.db', /control character/],
    [`sqlite:${'a'.repeat(5000)}`, /longer than 4096/],
    ['postgres://', /malformed|names no host/],
    ['postgres://:5432/pnc', /malformed|names no host/],
    ['postgres://host:99999/pnc', /malformed/],
    ['postgres://pnc:hunter2@host:notaport/pnc', /malformed/],
    ['postgres://host/pnc/extra', /not a database name/],
  ];
  it.each(bad)('refuses %j', (url, message) => {
    let error: unknown;
    try {
      parseDatabaseUrl(url);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('bad-url');
    expect((error as StoreError).message).toMatch(message);
    // A password never reaches a message.
    expect((error as StoreError).message).not.toContain('hunter2');
  });

  it('refuses a non-string at run time', () => {
    expect(() => parseDatabaseUrl(undefined as unknown as string)).toThrow(StoreError);
  });
});

describe('redactDatabaseUrl', () => {
  it.each([
    ['postgres://pnc:secret@db:5432/pnc', 'postgres://pnc:***@db:5432/pnc'],
    ['postgres://pnc:p@ss:w@rd@db/pnc', 'postgres://pnc:***@db/pnc'],
    ['postgres://pnc@db/pnc', 'postgres://pnc@db/pnc'],
    ['postgres://db/pnc?application_name=a@b', 'postgres://db/pnc?application_name=a@b'],
    ['sqlite:/tmp/x.db', 'sqlite:/tmp/x.db'],
  ])('%s → %s', (url, shown) => {
    expect(redactDatabaseUrl(url)).toBe(shown);
  });
});
