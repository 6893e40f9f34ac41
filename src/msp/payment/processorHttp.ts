// One JSON exchange with the payment processor over node:http(s): a keep-alive agent (no handshake per call), the
// bearer secret, a time-out on the whole exchange (connect to last byte) and a limit on the answer's size. Every
// failure is a ProcessorCallError; nothing hangs and nothing unbounded is buffered.
import http from 'node:http';
import https from 'node:https';
import { ProcessorCallError } from './processorCallError.js';
import { parseErrorAnswer } from './processorAnswers.js';
import { checkProcessorSecret, ProcessorConfigError } from './processorSecret.js';

export interface ProcessorHttpOptions {
  /** The processor's base URL, http:// or https:// (e.g. http://127.0.0.1:9300). */
  readonly url: string;
  readonly secret: string;
  /** The whole exchange, connect to last byte (default 5 s). */
  readonly timeoutMs?: number;
  /** Larger answers are refused (default 16 KiB; the largest valid one is under 400 bytes). */
  readonly maxResponseBytes?: number;
  /** Parallel connections at most (default 64). */
  readonly maxSockets?: number;
}

export interface JsonAnswer {
  readonly httpStatus: number;
  readonly body: unknown;
}

/** Our own socket went stale between two requests (the server closed an idle keep-alive connection). */
class StaleSocket extends Error {
  override readonly name = 'StaleSocket';
}

export class ProcessorHttp {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly authorization: string;
  readonly origin: string;

  constructor(options: ProcessorHttpOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw new ProcessorConfigError(`processor URL ${JSON.stringify(options.url.slice(0, 200))} is not a URL`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new ProcessorConfigError(`processor URL must be http:// or https://, not ${base.protocol}`);
    if (base.username !== '' || base.password !== '' || base.search !== '' || base.hash !== '') {
      throw new ProcessorConfigError('processor URL must not carry credentials, a query or a fragment (the secret goes separately)');
    }
    checkProcessorSecret(options.secret);
    this.base = base;
    this.origin = base.origin;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.maxBytes = options.maxResponseBytes ?? 16 * 1024;
    this.authorization = `Bearer ${options.secret}`;
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64, maxFreeSockets: 16 };
    this.agent = base.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  }

  /**
   * Sends `body` as JSON and returns the parsed JSON answer with its status. Every call of ours is idempotent (the
   * reference, the capture per authorization, release), so a request lost on a stale keep-alive socket is sent again
   * once on a new one.
   */
  async exchange(method: 'GET' | 'POST', path: string, body?: unknown): Promise<JsonAnswer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    try {
      return await this.once(method, path, payload);
    } catch (e) {
      if (!(e instanceof StaleSocket)) throw e;
      return this.once(method, path, payload);
    }
  }

  /** The answer's body when its status is one of `ok`; a refusal with a typed error body → ProcessorCallError 'refused'. */
  async call(method: 'GET' | 'POST', path: string, body: unknown, ok: readonly number[] = [200]): Promise<unknown> {
    const answer = await this.exchange(method, path, body);
    if (ok.includes(answer.httpStatus)) return answer.body;
    const error = parseErrorAnswer(answer.body);
    if (error === undefined) throw new ProcessorCallError('bad-answer', `${this.origin} answered HTTP ${answer.httpStatus} without an error body`);
    throw new ProcessorCallError('refused', `${this.origin} refused (HTTP ${answer.httpStatus} ${error.code}): ${error.message}`, {
      httpStatus: answer.httpStatus,
      apiCode: error.code,
    });
  }

  /** Closes the idle keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }

  private once(method: 'GET' | 'POST', path: string, payload: Buffer | undefined): Promise<JsonAnswer> {
    const basePath = this.base.pathname.replace(/\/+$/, '');
    const transport = this.base.protocol === 'https:' ? https : http;
    return new Promise<JsonAnswer>((resolve, reject) => {
      let done = false;
      const finish = (error: Error | undefined, answer?: JsonAnswer): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (error !== undefined) {
          req.destroy();
          reject(error);
        } else if (answer !== undefined) {
          resolve(answer);
        }
      };
      const req = transport.request({
        agent: this.agent,
        protocol: this.base.protocol,
        hostname: this.base.hostname.replace(/^\[|\]$/g, ''),
        port: this.base.port,
        path: `${basePath}${path}`,
        method,
        headers: {
          authorization: this.authorization,
          accept: 'application/json',
          ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
        },
      });
      const timer = setTimeout(() => finish(new ProcessorCallError('timeout', `no complete answer from ${this.origin} within ${this.timeoutMs} ms`)), this.timeoutMs);

      req.on('error', (e: NodeJS.ErrnoException) => {
        if (req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) return finish(new StaleSocket(e.message));
        finish(new ProcessorCallError('unreachable', `${this.origin}: ${e.code ?? e.message}`, undefined, { cause: e }));
      });

      req.on('response', (res) => {
        const declared = Number(res.headers['content-length']);
        if (declared > this.maxBytes) return finish(new ProcessorCallError('too-large', `${this.origin} announced ${declared} bytes, limit ${this.maxBytes}`));
        const chunks: Buffer[] = [];
        let total = 0;
        res.on('data', (chunk: Buffer) => {
          total += chunk.length;
          if (total > this.maxBytes) return finish(new ProcessorCallError('too-large', `${this.origin} sent more than ${this.maxBytes} bytes`));
          chunks.push(chunk);
        });
        res.on('error', (e) => finish(new ProcessorCallError('unreachable', `${this.origin}: the answer broke off (${e.message})`, undefined, { cause: e })));
        res.on('aborted', () => finish(new ProcessorCallError('unreachable', `${this.origin}: the answer broke off`)));
        res.on('end', () => {
          const type = String(res.headers['content-type'] ?? '');
          if (!/^application\/json\s*(;|$)/i.test(type)) {
            return finish(new ProcessorCallError('bad-answer', `${this.origin} answered HTTP ${res.statusCode ?? '?'} with content-type ${JSON.stringify(type.slice(0, 80))}`));
          }
          let body: unknown;
          try {
            body = JSON.parse(Buffer.concat(chunks, total).toString('utf8'));
          } catch {
            return finish(new ProcessorCallError('bad-answer', `${this.origin} answered HTTP ${res.statusCode ?? '?'} with a body that is not JSON`));
          }
          finish(undefined, { httpStatus: res.statusCode ?? 0, body });
        });
      });
      req.end(payload);
    });
  }
}
