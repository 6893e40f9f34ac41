import { describe, expect, it } from 'vitest';
import { classifyAddress, parseIpv6, type AddressKind } from '../../../src/csms/revocation/addressRanges.js';
import {
  ResponderUrlPolicyError,
  checkResponderUrl,
  compileResponderUrlPolicy,
  decideResponderUrl,
} from '../../../src/csms/revocation/responderUrlPolicy.js';

describe('classifyAddress', () => {
  const table: readonly [string, AddressKind, string?][] = [
    ['8.8.8.8', 'public'],
    ['93.184.216.34', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['100.128.0.1', 'public'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback', 'IPv4-mapped 127.0.0.1'],
    ['::ffff:7f00:1', 'loopback', 'IPv4-mapped 127.0.0.1'],
    ['::ffff:a9fe:a9fe', 'link-local', 'IPv4-mapped 169.254.169.254'],
    ['::ffff:8.8.8.8', 'public', 'IPv4-mapped 8.8.8.8'],
    ['::7f00:1', 'loopback', 'IPv4-compatible 127.0.0.1'],
    ['::10.0.0.1', 'private', 'IPv4-compatible 10.0.0.1'],
    ['64:ff9b::7f00:1', 'loopback', 'NAT64 127.0.0.1'],
    ['2002:7f00:1::', 'loopback', '6to4 127.0.0.1'],
    ['2002:0808:0808::1', 'public', '6to4 8.8.8.8'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['fc00::1', 'unique-local'],
    ['fd00::2', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['2001::1', 'reserved'],
    ['2001:4860:4860::8888', 'public'],
    ['2606:4700::1111', 'public'],
    ['localhost', 'invalid'],
    ['127.1', 'invalid'],
    ['0177.0.0.1', 'invalid'],
    ['1.2.3.256', 'invalid'],
    ['1::2::3', 'invalid'],
    ['1:2:3:4:5:6:7:8:9', 'invalid'],
    ['', 'invalid'],
  ];
  it.each(table)('%s → %s', (address, kind, via) => {
    const c = classifyAddress(address);
    expect(c.kind).toBe(kind);
    if (via) expect(c.via).toBe(via);
  });

  it('parses every IPv6 text form to the same bytes', () => {
    const canonical = parseIpv6('2001:db8:0:0:0:0:2:1');
    expect(parseIpv6('2001:db8::2:1')).toEqual(canonical);
    expect(parseIpv6('2001:DB8::0:2:1')).toEqual(canonical);
    expect(parseIpv6('::ffff:127.0.0.1')).toEqual(parseIpv6('::ffff:7f00:1'));
    expect(parseIpv6('1:2:3:4:5:6:7:8')).toHaveLength(16);
    expect(parseIpv6('1:2:3:4:5:6:7::8')).toBeUndefined();
  });
});

describe('responder URL policy', () => {
  const allowList = [
    'http://ocsp.example.com:80',
    'https://ocsp.example.org',
    'http://127.0.0.1:2560',
    'http://localhost:2560',
    'http://169.254.169.254',
    'http://[::1]:2560',
    'http://0.0.0.0:2560',
    'http://[::ffff:127.0.0.1]',
    'http://10.0.0.5',
    'http://100.64.0.1',
    'http://[fd00::2]',
    'http://[fe80::1]',
    'http://224.0.0.1',
  ];
  const strict = compileResponderUrlPolicy({ allowedOrigins: allowList });
  const loose = compileResponderUrlPolicy({ allowedOrigins: allowList, allowPrivateAddresses: true });
  const publicAddress = ['93.184.216.34'];

  // [url, resolved addresses, allowed strictly, allowed with private addresses, reason pattern]
  const table: readonly [string, readonly string[], boolean, boolean, RegExp?][] = [
    ['http://ocsp.example.com/ocsp', publicAddress, true, true],
    ['http://ocsp.example.com:80/ocsp', publicAddress, true, true],
    ['HTTP://OCSP.EXAMPLE.COM:80/a/b?c', publicAddress, true, true],
    ['https://ocsp.example.org/', ['2606:4700::1111'], true, true],
    ['http://ocsp.example.com:8080/', publicAddress, false, false, /not on the OCSP allow-list/],
    ['https://ocsp.example.com/', publicAddress, false, false, /not on the OCSP allow-list/],
    ['http://ocsp.example.org/', publicAddress, false, false, /not on the OCSP allow-list/],
    ['http://evil.example.net/', publicAddress, false, false, /not on the OCSP allow-list/],
    ['http://ocsp.example.com.evil.net/', publicAddress, false, false, /not on the OCSP allow-list/],
    ['http://user:pw@ocsp.example.com/', publicAddress, false, false, /credentials/],
    ['http://user@ocsp.example.com/', publicAddress, false, false, /credentials/],
    ['ftp://ocsp.example.com/', publicAddress, false, false, /scheme ftp:/],
    ['file:///etc/passwd', [], false, false, /scheme file:/],
    ['gopher://ocsp.example.com:80/', publicAddress, false, false, /scheme gopher:/],
    ['javascript:alert(1)', [], false, false, /scheme javascript:/],
    ['not a url', [], false, false, /not a URL/],
    ['', [], false, false, /no responder URL/],
    // A name on the list that resolves to a private address: refused at the address.
    ['http://ocsp.example.com/', ['127.0.0.1'], false, true, /resolves to 127\.0\.0\.1 is a loopback address/],
    ['http://ocsp.example.com/', ['93.184.216.34', '10.0.0.1'], false, true, /10\.0\.0\.1 is a private address/],
    ['http://ocsp.example.com/', ['::ffff:127.0.0.1'], false, true, /IPv4-mapped 127\.0\.0\.1/],
    ['http://ocsp.example.com/', ['169.254.169.254'], false, false, /link-local/],
    ['http://ocsp.example.com/', [], false, false, /resolved to no address/],
    // Literals: checked without DNS.
    ['http://127.0.0.1:2560/ocsp', [], false, true, /127\.0\.0\.1 is a loopback address/],
    ['http://localhost:2560/ocsp', ['127.0.0.1'], false, true, /loopback/],
    ['http://169.254.169.254/latest/meta-data/', [], false, false, /169\.254\.169\.254 is a link-local address/],
    ['http://[::1]:2560/', [], false, true, /::1 is a loopback address/],
    ['http://0.0.0.0:2560/', [], false, false, /0\.0\.0\.0 is an unspecified address/],
    ['http://[::ffff:127.0.0.1]/', [], false, true, /IPv4-mapped 127\.0\.0\.1/],
    ['http://10.0.0.5/', [], false, true, /private/],
    ['http://100.64.0.1/', [], false, true, /cgnat/],
    ['http://[fd00::2]/', [], false, true, /unique-local/],
    ['http://[fe80::1]/', [], false, false, /link-local/],
    ['http://224.0.0.1/', [], false, false, /multicast/],
    // Decimal, octal, hex and short IPv4 forms: the WHATWG URL parser normalises them to 127.0.0.1 first.
    ['http://2130706433:2560/', [], false, true, /127\.0\.0\.1 is a loopback/],
    ['http://0177.0.0.1:2560/', [], false, true, /127\.0\.0\.1 is a loopback/],
    ['http://0x7f.1:2560/', [], false, true, /127\.0\.0\.1 is a loopback/],
    ['http://017700000001:2560/', [], false, true, /127\.0\.0\.1 is a loopback/],
    ['http://127.1:2560/', [], false, true, /127\.0\.0\.1 is a loopback/],
    ['http://%31%32%37.0.0.1:2560/', [], false, true, /127\.0\.0\.1 is a loopback/],
    ['http://2852039166/', [], false, false, /169\.254\.169\.254 is a link-local/],
    // Not on the list at all: the allow-list speaks first, whatever the address.
    ['http://127.0.0.2:2560/', [], false, false, /not on the OCSP allow-list/],
    ['http://[::ffff:169.254.169.254]/', [], false, false, /not on the OCSP allow-list/],
  ];

  it.each(table)('%s (DNS %j): strict %s, private allowed %s', (url, addresses, strictAllowed, looseAllowed, reason) => {
    const s = decideResponderUrl(url, addresses, strict);
    const l = decideResponderUrl(url, addresses, loose);
    expect(s.allowed, JSON.stringify(s)).toBe(strictAllowed);
    expect(l.allowed, JSON.stringify(l)).toBe(looseAllowed);
    if (reason && !s.allowed) expect(s.reason).toMatch(reason);
  });

  it('checkResponderUrl refuses literals before any DNS and lets names through to the address check', () => {
    expect(checkResponderUrl('http://127.0.0.1:2560/', strict).allowed).toBe(false);
    const named = checkResponderUrl('http://localhost:2560/', strict);
    expect(named.allowed).toBe(true);
    expect(named.allowed && named.origin).toBe('http://localhost:2560');
  });

  it('refuses an overlong URL', () => {
    const d = checkResponderUrl(`http://ocsp.example.com/${'a'.repeat(3000)}`, strict);
    expect(d.allowed).toBe(false);
    expect(!d.allowed && d.reason).toMatch(/characters/);
  });

  it.each([
    ['ocsp.example.com', /not a URL/],
    ['ftp://ocsp.example.com', /not http or https/],
    ['http://u:p@ocsp.example.com', /credentials/],
    ['http://ocsp.example.com/ocsp', /has a path/],
    ['http://ocsp.example.com/?x=1', /has a path/],
  ])('allow-list entry %s is a configuration error', (entry, message) => {
    expect(() => compileResponderUrlPolicy({ allowedOrigins: [entry] })).toThrow(ResponderUrlPolicyError);
    expect(() => compileResponderUrlPolicy({ allowedOrigins: [entry] })).toThrow(message);
  });

  it('normalises allow-list entries: default ports, case, trailing slash', () => {
    const p = compileResponderUrlPolicy({ allowedOrigins: ['HTTP://OCSP.Example.COM:80/', 'https://x.example:443'] });
    expect([...p.allowedOrigins]).toEqual(['http://ocsp.example.com', 'https://x.example']);
  });
});
