// The OCPI 2.2.1 / 2.3.0 layer shared by the CSMS (CPO side) and the MSP: objects, strict parsers, status codes,
// the keep-alive HTTP client and the typed calls.
export * from './ocpiTypes.js';
export { OcpiStatus, isSuccessStatus, ocpiResponse, ocpiDateTime, type OcpiStatusCode } from './ocpiStatus.js';
export { OcpiFormatError } from './ocpiFormatError.js';
export { OcpiError, type OcpiErrorCode, type OcpiErrorDetails } from './ocpiError.js';
export * from './ocpiParsers.js';
export { authorizationHeader, credentialsTokenCandidates, newCredentialsToken } from './ocpiAuthorization.js';
export { pageUrl, nextLink, linkHeader, type PageRequest } from './ocpiPagination.js';
export { OcpiHttpClient, type OcpiHttpClientOptions, type OcpiHttpRequest, type OcpiHttpResponse, type OcpiMethod } from './ocpiHttpClient.js';
export { OcpiClient, isUnknownTokenError, type OcpiCallOptions, type TokenPage, type PostCdrResult } from './ocpiClient.js';
export { highestMutualVersion } from './ocpiVersions.js';
