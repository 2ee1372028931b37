import type { OktaServiceApp } from "../config/service-app";
import { isAppError } from "../core/app-error";
import { OktaApiError, type OktaApiErrorCode } from "./errors";
import { dpopProof, serviceAccessToken } from "./service-token";

/** Each Okta API call gets this long; a sign-in waits for at most a few pages of it. */
export const OKTA_API_TIMEOUT_MS = 4000;
/** Pages followed at most (Okta's 200 a page would be 20,000 groups); more is refused, not looped. */
const MAX_PAGES = 100;

export { OktaApiError, type OktaApiErrorCode } from "./errors";

/**
 * An Okta management API credential: an OAuth 2.0 API Services app (private_key_jwt, DPoP; Okta's
 * recommendation) or an SSWS API token. The org URL (https://acme.okta.com) is where the API lives,
 * whatever the authorization server.
 */
export type OktaApiCredential = { orgUrl: string; token: string } | { orgUrl: string; serviceApp: OktaServiceApp };

async function authorize(
  credential: OktaApiCredential,
  url: string,
  fetchImpl: typeof fetch,
  fresh = false,
): Promise<Record<string, string>> {
  if ("token" in credential) return { authorization: `SSWS ${credential.token}` };
  const { accessToken, dpop } = await serviceAccessToken(credential.orgUrl, credential.serviceApp, fetchImpl, {
    fresh,
  });
  return dpop
    ? { authorization: `DPoP ${accessToken}`, dpop: await dpopProof("GET", url, { accessToken }) }
    : { authorization: `Bearer ${accessToken}` };
}

const backoffKey = Symbol.for("porter.okta-api-backoff");
/** Per org: no call before this time (Okta answered 429 with a reset). Shared by every caller in the process. */
const backoff: Map<string, number> = ((globalThis as typeof globalThis & { [backoffKey]?: Map<string, number> })[
  backoffKey
] ??= new Map<string, number>());

/** The `rel="next"` target of an RFC 8288 Link header, if any. */
export function nextLink(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(m?.[2] ?? "");
    if (m && rel && (rel[1] ?? rel[2] ?? "").split(/\s+/).includes("next")) return m[1] ?? null;
  }
  return null;
}

function problem(code: OktaApiErrorCode, message: string, userMessage: string, fix?: string): OktaApiError {
  return new OktaApiError({ code, message, userMessage, ...(fix ? { fix } : {}) });
}

/**
 * One GET against the Okta API with the credential: a timeout, no redirects, and Okta's rate limits
 * respected (a 429 sets a per-org back-off until X-Rate-Limit-Reset; calls before then fail at once).
 */
export async function oktaApiGet(
  credential: OktaApiCredential,
  url: string,
  fetchImpl: typeof fetch = fetch,
): Promise<Response> {
  const org = new URL(credential.orgUrl).origin;
  if (new URL(url).origin !== org)
    throw problem(
      "okta_api_invalid",
      `refusing to send the Okta API token to ${new URL(url).origin}`,
      "Okta's answer pointed porter at another host; porter did not follow it.",
    );
  const until = backoff.get(org) ?? 0;
  if (Date.now() < until) {
    const err = problem(
      "okta_api_rate_limited",
      "okta api back-off in effect",
      `Okta's API rate limit for this org was reached; porter waits until ${new Date(until).toISOString()}.`,
    );
    err.retryAt = new Date(until);
    throw err;
  }
  const send = async (freshToken: boolean) =>
    fetchImpl(url, {
      headers: { ...(await authorize(credential, url, fetchImpl, freshToken)), accept: "application/json" },
      redirect: "error",
      signal: AbortSignal.timeout(OKTA_API_TIMEOUT_MS),
    });
  let res: Response;
  try {
    res = await send(false);
    // An OAuth token Okta no longer accepts (revoked, rotated): one new token, one retry.
    if (res.status === 401 && "serviceApp" in credential) {
      await res.body?.cancel();
      res = await send(true);
    }
  } catch (cause) {
    if (isAppError(cause)) throw cause;
    throw new OktaApiError({
      code: "okta_api_unavailable",
      message: `okta api request failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      userMessage: `Okta's API at ${new URL(org).host} did not answer in time.`,
      cause,
    });
  }
  if (res.status === 429) {
    await res.body?.cancel();
    const reset = Number(res.headers.get("x-rate-limit-reset"));
    // Okta's reset is epoch seconds; without one, back off a minute. Never more than 5 minutes on one answer.
    const at = Number.isFinite(reset) && reset > 0 ? Math.min(reset * 1000, Date.now() + 300_000) : Date.now() + 60_000;
    backoff.set(org, at);
    const err = problem(
      "okta_api_rate_limited",
      "okta api 429 E0000047",
      `Okta's API rate limit for this org was reached (E0000047); porter waits until ${new Date(at).toISOString()}.`,
      "Okta Admin Console > Reports > Rate Limits shows which limit was hit.",
    );
    err.retryAt = new Date(at);
    throw err;
  }
  if (res.status === 401) {
    await res.body?.cancel();
    throw problem(
      "okta_api_unauthorized",
      "okta api 401",
      "Okta refused porter's API token (E0000011: invalid token).",
      "Okta Admin Console > Security > API > Tokens: create a token and set it as the connection's Okta API token.",
    );
  }
  if (res.status === 403) {
    await res.body?.cancel();
    throw problem(
      "okta_api_forbidden",
      "okta api 403",
      "porter's Okta API token may not read users and groups (E0000006).",
      "Create the token as an admin with the Read-only Administrator role (okta.users.read, okta.groups.read, okta.logs.read).",
    );
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw problem(
      "okta_api_unavailable",
      `okta api HTTP ${String(res.status)}`,
      `Okta's API answered HTTP ${String(res.status)}.`,
    );
  }
  return res;
}

/**
 * Every group of one Okta user, from GET /api/v1/users/{id}/groups: follows `Link: rel="next"` to the end
 * (never trusting the page size), at most MAX_PAGES pages. No 100-group cap, unlike the token's claim.
 */
export async function listUserGroups(
  credential: OktaApiCredential,
  userId: string,
  fetchImpl: typeof fetch = fetch,
): Promise<string[]> {
  const org = new URL(credential.orgUrl).origin;
  let url: string | null = `${org}/api/v1/users/${encodeURIComponent(userId)}/groups?limit=200`;
  const names: string[] = [];
  for (let page = 0; url; page++) {
    if (page >= MAX_PAGES)
      throw problem(
        "okta_api_invalid",
        "too many pages",
        `Okta's group list for this person ran past ${String(MAX_PAGES)} pages; porter stopped reading.`,
      );
    const res = await oktaApiGet(credential, url, fetchImpl);
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw problem(
        "okta_api_invalid",
        "okta api body is not JSON",
        "Okta's API answered with something other than JSON.",
      );
    }
    if (!Array.isArray(body))
      throw problem(
        "okta_api_invalid",
        "okta groups page is not an array",
        "Okta's API answered with an unexpected shape.",
      );
    for (const g of body as unknown[]) {
      const name = (g as { profile?: { name?: unknown } } | null)?.profile?.name;
      if (typeof name === "string") names.push(name);
    }
    const next = nextLink(res.headers.get("link"));
    url = next && next !== url ? next : null;
  }
  return [...new Set(names)];
}

/** For tests: forget every org's back-off. */
export function resetOktaApiBackoff(): void {
  backoff.clear();
}
