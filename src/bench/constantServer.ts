// The transport ceiling for `pnc bench ocsp`: fastify answering every POST with the same prepared OCSP response, no
// OCSP work at all. What the real responder reaches relative to this is the share HTTP leaves for OCSP on the machine.
// Run as: node dist/bench/constantServer.js PORT RESPONSE_FILE
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const [port, file] = process.argv.slice(2);
const body = readFileSync(file!);
const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, b, done) => done(null, b));
app.post('/*', async (_req, reply) => reply.header('content-type', 'application/ocsp-response').send(body));
const address = await app.listen({ host: '127.0.0.1', port: Number(port) });
process.stdout.write(`constant server listening on ${address}\n`);
