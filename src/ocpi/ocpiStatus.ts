// OCPI status codes (status_codes.asciidoc, 2.2.1 and 2.3.0 alike) and the response envelope built from them.
import type { OcpiResponse } from './ocpiTypes.js';

export const OcpiStatus = {
  /** Generic success. */
  success: 1000,
  /** Generic client error. */
  clientError: 2000,
  /** Invalid or missing parameters. */
  invalidParameters: 2001,
  /** Not enough information (e.g. an authorization request with too little information). */
  notEnoughInformation: 2002,
  unknownLocation: 2003,
  /** Real-time authorization of an unknown token. */
  unknownToken: 2004,
  /** Generic server error. */
  serverError: 3000,
  /** Unable to use the client's API (e.g. the GETs during the credentials registration failed). */
  unableToUseClientApi: 3001,
  unsupportedVersion: 3002,
  /** No matching endpoints, or endpoints the other party expects are missing. */
  noMatchingEndpoints: 3003,
} as const;

export type OcpiStatusCode = (typeof OcpiStatus)[keyof typeof OcpiStatus];

export function isSuccessStatus(code: number): boolean {
  return code >= 1000 && code <= 1999;
}

/** The envelope with the current time; `data` is left out when undefined (2.3.0 advises leaving it unset). */
export function ocpiResponse<T>(statusCode: number, data?: T, statusMessage?: string, now: Date = new Date()): OcpiResponse<T> {
  return {
    ...(data !== undefined ? { data } : {}),
    status_code: statusCode,
    ...(statusMessage !== undefined ? { status_message: statusMessage } : {}),
    timestamp: ocpiDateTime(now),
  };
}

/** OCPI DateTime: RFC 3339 in UTC with 'Z'; whole seconds (fractions are allowed but not needed). */
export function ocpiDateTime(at: Date): string {
  return `${at.toISOString().slice(0, 19)}Z`;
}
