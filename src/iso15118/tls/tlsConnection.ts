// What either side knows of an established ISO 15118 connection: plain TCP, or TLS with the profile it runs.
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { TlsSuite } from './tlsProfile.js';

export interface PlainConnection {
  readonly secure: false;
  readonly socket: Socket;
}

export interface TlsConnection {
  readonly secure: true;
  readonly socket: TLSSocket;
  readonly suite: TlsSuite;
  readonly tlsVersion: string;
  /** IANA name, e.g. TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256. */
  readonly cipher: string;
}
