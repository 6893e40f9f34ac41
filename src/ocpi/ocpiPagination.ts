// Pagination of OCPI list GETs (transport_and_format: Pagination): offset/limit/date_from/date_to on the request,
// Link rel="next", X-Total-Count and X-Limit on the response.

export interface PageRequest {
  readonly offset?: number;
  readonly limit?: number;
  readonly dateFrom?: string;
  readonly dateTo?: string;
}

/** The URL of the page: the list endpoint plus the page parameters (existing query parameters kept). */
export function pageUrl(listUrl: string, page: PageRequest): string {
  const u = new URL(listUrl);
  if (page.dateFrom !== undefined) u.searchParams.set('date_from', page.dateFrom);
  if (page.dateTo !== undefined) u.searchParams.set('date_to', page.dateTo);
  if (page.offset !== undefined) u.searchParams.set('offset', String(page.offset));
  if (page.limit !== undefined) u.searchParams.set('limit', String(page.limit));
  return u.toString();
}

/** The target of rel="next" in a Link header (RFC 8288), or undefined. */
export function nextLink(header: string | readonly string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const values = typeof header === 'string' ? [header] : header;
  for (const value of values) {
    // Link: <url>; rel="next", <url2>; rel="prev"
    for (const m of value.matchAll(/<([^>]*)>\s*((?:;\s*[A-Za-z*-]+\s*=\s*(?:"[^"]*"|[^;,\s]+)\s*)*)/g)) {
      const params = m[2] ?? '';
      const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(params);
      const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
      if (rels.includes('next')) return m[1];
    }
  }
  return undefined;
}

export function linkHeader(nextUrl: string): string {
  return `<${nextUrl}>; rel="next"`;
}
