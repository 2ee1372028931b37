import type { Connection } from "../config";
import type { OktaServiceApp } from "../config/service-app";
import { isAppError } from "../core/app-error";
import { FIXES } from "./admin-console";
import { OktaApiError, type OktaApiErrorCode } from "./errors";
import { dpopProof, serviceAccessToken } from "./service-token";

/** Each Okta API call gets this long; a sign-in waits for at most a few pages of it. */
export const OKTA_API_TIMEOUT_MS = 4000;
/** Pages followed at most (Okta's 200 a page would be 20,000 groups); more is refused, not looped. */
const MAX_PAGES = 100;

/**
 * An Okta management API credential: an OAuth 2.0 API Services app (private_key_jwt, DPoP; Okta's
 * recommendation) or an SSWS API token. The org URL (https://acme.okta.com) is where the API lives,
 * whatever the authorization server.
 */
export type OktaApiCredential = { orgUrl: string; token: string } | { orgUrl: string; serviceApp: OktaServiceApp };

/** What a connection's Okta API credential is made of. */
export type CredentialFields = Pick<Connection, "issuer" | "oktaApiToken" | "oktaServiceApp">;

/**
 * The Okta API credential of a connection, if it has one: its API Services app (Okta's recommendation)
 * before an SSWS token; the org URL is the issuer's origin.
 */
export function oktaApiCredential(
  connection: Partial<CredentialFields> & Pick<Connection, "issuer">,
): OktaApiCredential | null {
  const orgUrl = new URL(connection.issuer).origin;
  if (connection.oktaServiceApp) return { orgUrl, serviceApp: connection.oktaServiceApp };
  return connection.oktaApiToken ? { orgUrl, token: connection.oktaApiToken } : null;
}

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

const backoffKey = Symbol.for("porter.okta-api-backoff");
/** Per org: no call before this time (Okta answered 429 with a reset). Shared by every caller in the process. */
const backoff: Map<string, number> = ((globalThis as typeof globalThis & { [backoffKey]?: Map<string, number> })[
  backoffKey
] ??= new Map<string, number>());

/** For tests: forget every org's back-off. */
export function resetOktaApiBackoff(): void {
  backoff.clear();
}

const problem = (code: OktaApiErrorCode, message: string, userMessage: string, fix?: string) =>
  new OktaApiError({ code, message, userMessage, fix });

/**
 * porter's one client for Okta's management API (Users, Groups, System Log, Apps): it owns the credential
 * (an API Services app's DPoP-bound token, refreshed once when Okta stops accepting it, or an SSWS token),
 * the timeout, Okta's rate limits (a 429 backs off every caller for that org until X-Rate-Limit-Reset),
 * the refusal to send the credential to any other host, and the mapping of Okta's answers to errors that
 * say what to change in Okta. Every management API call porter makes goes through here.
 */
export class OktaClient {
  readonly orgUrl: string;

  constructor(
    readonly credential: OktaApiCredential,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly timeoutMs: number = OKTA_API_TIMEOUT_MS,
  ) {
    this.orgUrl = new URL(credential.orgUrl).origin;
  }

  /** The client of a connection, or null when it has no Okta API credential. */
  static of(
    connection: Partial<CredentialFields> & Pick<Connection, "issuer">,
    fetchImpl?: typeof fetch,
  ): OktaClient | null {
    const credential = oktaApiCredential(connection);
    return credential ? new OktaClient(credential, fetchImpl) : null;
  }

  get kind(): "service_app" | "api_token" {
    return "serviceApp" in this.credential ? "service_app" : "api_token";
  }

  /** How the credential is shown (evidence, logs): never the secret. */
  describe(): string {
    return "serviceApp" in this.credential
      ? `API Services app ${this.credential.serviceApp.clientId} (OAuth 2.0, private_key_jwt)`
      : "SSWS ****";
  }

  private async authorize(url: string, fresh: boolean, method = "GET"): Promise<Record<string, string>> {
    if ("token" in this.credential) return { authorization: `SSWS ${this.credential.token}` };
    const { accessToken, dpop } = await serviceAccessToken(this.orgUrl, this.credential.serviceApp, this.fetchImpl, {
      fresh,
    });
    return dpop
      ? { authorization: `DPoP ${accessToken}`, dpop: await dpopProof(method, url, { accessToken }) }
      : { authorization: `Bearer ${accessToken}` };
  }

  /**
   * One GET, answered whatever Okta's status, except what no caller can act on itself: a 429 (back-off,
   * OktaApiError), a network failure or timeout (okta_api_unavailable), a URL on another host.
   */
  async send(pathOrUrl: string, request: { method?: string; json?: unknown } = {}): Promise<Response> {
    const method = request.method ?? "GET";
    const url = pathOrUrl.startsWith("/") ? `${this.orgUrl}${pathOrUrl}` : pathOrUrl;
    if (new URL(url).origin !== this.orgUrl)
      throw problem(
        "okta_api_invalid",
        `refusing to send the Okta API credential to ${new URL(url).origin}`,
        "Okta's answer pointed porter at another host; porter did not follow it.",
      );
    const until = backoff.get(this.orgUrl) ?? 0;
    if (Date.now() < until) {
      const err = problem(
        "okta_api_rate_limited",
        "okta api back-off in effect",
        `Okta's API rate limit for this org was reached; porter waits until ${new Date(until).toISOString()}.`,
      );
      err.retryAt = new Date(until);
      throw err;
    }
    const once = async (freshToken: boolean) =>
      this.fetchImpl(url, {
        method,
        headers: {
          ...(await this.authorize(url, freshToken, method)),
          accept: "application/json",
          ...(request.json === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(request.json === undefined ? {} : { body: JSON.stringify(request.json) }),
        redirect: "error",
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    let res: Response;
    try {
      res = await once(false);
      // An OAuth token Okta no longer accepts (revoked, rotated): one new token, one retry.
      if (res.status === 401 && this.kind === "service_app") {
        await res.body?.cancel();
        res = await once(true);
      }
    } catch (cause) {
      if (isAppError(cause)) throw cause;
      throw new OktaApiError({
        code: "okta_api_unavailable",
        message: `okta api request failed: ${cause instanceof Error ? cause.message : String(cause)}`,
        userMessage: `Okta's API at ${new URL(this.orgUrl).host} did not answer in time.`,
        cause,
      });
    }
    if (res.status === 429) {
      await res.body?.cancel();
      const reset = Number(res.headers.get("x-rate-limit-reset"));
      // Okta's reset is epoch seconds; without one, back off a minute. Never more than 5 minutes on one answer.
      const at =
        Number.isFinite(reset) && reset > 0 ? Math.min(reset * 1000, Date.now() + 300_000) : Date.now() + 60_000;
      backoff.set(this.orgUrl, at);
      const err = problem(
        "okta_api_rate_limited",
        "okta api 429 E0000047",
        `Okta's API rate limit for this org was reached (E0000047); porter waits until ${new Date(at).toISOString()}.`,
        FIXES.rateLimits(),
      );
      err.retryAt = new Date(at);
      throw err;
    }
    return res;
  }

  /** One GET that must succeed: Okta's refusals become errors that say what to change in Okta. */
  async get(pathOrUrl: string): Promise<Response> {
    const res = await this.send(pathOrUrl);
    if (res.ok) return res;
    await res.body?.cancel();
    if (res.status === 401)
      throw problem(
        "okta_api_unauthorized",
        "okta api 401",
        `Okta refused porter's credential (${this.describe()}; E0000011: invalid token).`,
        "serviceApp" in this.credential ? FIXES.serviceApp(this.credential.serviceApp.clientId) : FIXES.apiToken(),
      );
    if (res.status === 403)
      throw problem(
        "okta_api_forbidden",
        "okta api 403",
        `porter's Okta credential (${this.describe()}) may not read this (E0000006).`,
        FIXES.apiPermissions(),
      );
    throw problem(
      "okta_api_unavailable",
      `okta api HTTP ${String(res.status)}`,
      `Okta's API answered HTTP ${String(res.status)}.`,
    );
  }

  /** A GET whose JSON body must be an array (Okta's list endpoints), with the next page's URL. */
  async getPage(pathOrUrl: string): Promise<{ items: unknown[]; next: string | null }> {
    const res = await this.get(pathOrUrl);
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
        "okta api page is not an array",
        "Okta's API answered with an unexpected shape.",
      );
    return { items: body as unknown[], next: nextLink(res.headers.get("link")) };
  }

  /**
   * Every group of one Okta user, from GET /api/v1/users/{id}/groups: follows `Link: rel="next"` to the end
   * (never trusting the page size), at most MAX_PAGES pages. No 100-group cap, unlike the token's claim.
   */
  async listUserGroups(userId: string): Promise<string[]> {
    let url: string | null = `/api/v1/users/${encodeURIComponent(userId)}/groups?limit=200`;
    const names: string[] = [];
    for (let page = 0; url; page++) {
      if (page >= MAX_PAGES)
        throw problem(
          "okta_api_invalid",
          "too many pages",
          `Okta's group list for this person ran past ${String(MAX_PAGES)} pages; porter stopped reading.`,
        );
      const { items, next } = await this.getPage(url);
      for (const g of items) {
        const name = (g as { profile?: { name?: unknown } } | null)?.profile?.name;
        if (typeof name === "string") names.push(name);
      }
      url = next && next !== url ? next : null;
    }
    return [...new Set(names)];
  }

  /** One System Log event by its uuid (a delivery that left out its actor or target), or null. */
  async findLogEvent(uuid: string, published: string): Promise<unknown> {
    const params = new URLSearchParams({
      filter: `uuid eq "${uuid.replaceAll('"', "")}"`,
      since: new Date(Date.parse(published) - 60_000).toISOString(),
    });
    const { items } = await this.getPage(`/api/v1/logs?${params.toString()}`);
    return items.find((e) => (e as { uuid?: unknown } | null)?.uuid === uuid) ?? null;
  }

  /** The app (GET /api/v1/apps/{client id}) as Okta answers, status included: the check explains each. */
  async getApp(clientId: string): Promise<{ status: number; body: unknown }> {
    const res = await this.send(`/api/v1/apps/${encodeURIComponent(clientId)}`);
    const text = await res.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    return { status: res.status, body };
  }
}
