/**
 * A page's query string as Next hands it over: a name given twice (`?q=a&q=b`) arrives as a list,
 * which a page reading it as text would fail on (a 500). Pages read it through `firstValues`, the
 * way `URLSearchParams.get` reads the API's.
 */
export type PageQuery = Record<string, string | string[] | undefined>;

/** Each parameter's first value. */
export function firstValues(query: PageQuery): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
}

/**
 * Where to go after signing in: a path on this site, never another site. Parsed as the browser
 * will read it, so `/\evil.example` or a tab in `/<tab>/evil.example` (both `//evil.example` to a
 * browser) go home instead.
 */
export function returnPath(raw: string | undefined): string {
  if (!raw?.startsWith("/")) return "/";
  const base = "http://plenary.invalid";
  try {
    const url = new URL(raw, base);
    return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : "/";
  } catch {
    return "/";
  }
}
