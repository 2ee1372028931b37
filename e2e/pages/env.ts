/**
 * Where the suite's porter and devidp run: the embedded demo of playwright.config.ts by default; the
 * cluster's proxy when playwright.cluster.config.ts sets E2E_APP_URL and E2E_IDP_URL.
 */
export const APP_URL = process.env.E2E_APP_URL ?? "http://localhost:3100";
export const IDP_URL = process.env.E2E_IDP_URL ?? "http://localhost:4100";
export const ISSUER = `${IDP_URL}/oauth2/default`;
/**
 * The embedded demo trusts loopback as a proxy, so a test may name its client with X-Forwarded-For. The
 * cluster's nginx is the edge: it overwrites that header with the address it saw (127.0.0.1 here).
 */
export const clientAddressFor = (forwardedFor: string): string =>
  process.env.E2E_APP_URL ? "127.0.0.1" : forwardedFor;
