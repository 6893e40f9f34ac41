// A scripted eMSP on 127.0.0.1 (plain node:http): its tokens/authorize answer is whatever the test sets — each
// AllowedType, unknown token, slow, malformed, wrong envelope, oversize, HTTP errors — and it records what it was asked.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type ScriptedAnswer =
  | { readonly kind: 'allowed'; readonly allowed: string; readonly whitelist?: string; readonly valid?: boolean; readonly reference?: string }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'bare-404' }
  | { readonly kind: 'slow' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'wrong-envelope' }
  | { readonly kind: 'bad-data' }
  | { readonly kind: 'oversize' }
  | { readonly kind: 'http'; readonly status: number }
  | { readonly kind: 'status'; readonly code: number }
  | { readonly kind: 'reset' };

export interface AskedRequest {
  readonly method: string;
  readonly path: string;
  readonly type: string | null;
  readonly authorization: string | undefined;
  readonly body: string;
}

export interface ScriptedEmsp {
  readonly url: string;
  answer: ScriptedAnswer;
  readonly asked: AskedRequest[];
  close(): Promise<void>;
}

export async function startScriptedEmsp(): Promise<ScriptedEmsp> {
  const asked: AskedRequest[] = [];
  const state: { answer: ScriptedAnswer } = { answer: { kind: 'allowed', allowed: 'ALLOWED' } };
  const sockets = new Set<Socket>();
  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const u = new URL(req.url ?? '/', 'http://x');
    asked.push({ method: req.method ?? '', path: u.pathname, type: u.searchParams.get('type'), authorization: req.headers.authorization, body });
    const uid = decodeURIComponent(u.pathname.split('/').at(-2) ?? '');
    const json = (status: number, value: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };
    const envelope = (data: unknown, code = 1000): unknown => ({ data, status_code: code, timestamp: '2026-11-24T10:00:00Z' });
    const a = state.answer;
    switch (a.kind) {
      case 'allowed':
        return json(
          200,
          envelope({
            allowed: a.allowed,
            token: {
              country_code: 'DE',
              party_id: 'PNC',
              uid,
              type: u.searchParams.get('type') ?? 'RFID',
              contract_id: uid,
              issuer: 'Scripted',
              valid: a.valid ?? true,
              whitelist: a.whitelist ?? 'ALLOWED',
              last_updated: '2026-11-24T09:00:00Z',
            },
            ...(a.reference ? { authorization_reference: a.reference } : {}),
          }),
        );
      case 'unknown':
        return json(404, { status_code: 2004, status_message: 'Unknown Token', timestamp: '2026-11-24T10:00:00Z' });
      case 'bare-404':
        res.writeHead(404, { 'content-type': 'text/html' }).end('<html>not here</html>');
        return;
      case 'slow':
        return; // never answers
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": {"allowed": "ALLOWED"');
        return;
      case 'wrong-envelope':
        return json(200, { data: { allowed: 'ALLOWED' }, status: 'OK' });
      case 'bad-data':
        return json(200, envelope({ allowed: 'MAYBE', token: { uid } }));
      case 'oversize':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(envelope({ allowed: 'ALLOWED', padding: 'x'.repeat(3 * 1024 * 1024) })));
        return;
      case 'http':
        return json(a.status, { status_code: 3000, timestamp: '2026-11-24T10:00:00Z' });
      case 'status':
        return json(200, { status_code: a.code, status_message: 'scripted', timestamp: '2026-11-24T10:00:00Z' });
      case 'reset':
        req.socket.destroy();
        return;
    }
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get answer() {
      return state.answer;
    },
    set answer(a: ScriptedAnswer) {
      state.answer = a;
    },
    asked,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
