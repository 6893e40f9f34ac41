// Answers of the MSP's OCPI routes: always the OCPI envelope, with the HTTP status the specification asks for.
import type { FastifyReply } from 'fastify';
import { ocpiResponse } from '../../ocpi/ocpiStatus.js';

/** Thrown by a route to answer with this HTTP status and OCPI status code (the error handler sends it). */
export class OcpiReplyError extends Error {
  override readonly name = 'OcpiReplyError';
  constructor(
    readonly httpStatus: number,
    readonly statusCode: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export function sendOcpi<T>(reply: FastifyReply, httpStatus: number, statusCode: number, data?: T, message?: string): FastifyReply {
  return reply.status(httpStatus).header('content-type', 'application/json; charset=utf-8').send(ocpiResponse(statusCode, data, message));
}
