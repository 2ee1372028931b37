import "server-only";
import { audit, auditEvent } from "../audit";
import { getConfig } from "../config";
import type { LimitName, LimitScope } from "../config/rate-limits";
import { getDb } from "../db";
import { logger } from "../log";
import { addressBucket } from "../core/ip-ranges";
import { requestClient, type RequestClient } from "../http/client-ip";
import { htmlPage } from "../http/html-page";
import { jsonError } from "../http/error-response";
import { takeLimit } from "./rate-limit";

export interface Limited {
  retryAfter: number;
  scope: LimitScope;
}

/** Where a counted request comes from: its client, and the path (for the audit record). */
export interface CountedRequest {
  client: RequestClient;
  path: string;
}

/**
 * Counts this request against limit `name` for its client address (an IPv6 client per /64) and, when
 * given, its organization (shared by all nodes). Callers count against an organization only what was
 * authenticated as that organization's (a verified Okta call, a completed sign-in): anyone can send a
 * request, and must not be able to spend an organization's budget. Returns how long to wait when over, else null. The first refusal of a window is
 * audited once, whichever node sees it. If the counters cannot be read (the database is down), the
 * request is let through and the failure logged: a limit must not turn a database blip into an outage.
 */
export async function overLimit(
  request: Request | CountedRequest,
  name: LimitName,
  organization: { id: string; name: string } | null,
  scopes: readonly LimitScope[] = ["address", "organization"],
  /** The credential counted for the scope `token` (a SCIM token's id). */
  token?: string,
): Promise<Limited | null> {
  const config = getConfig();
  const counted =
    request instanceof Request
      ? { client: requestClient(request.headers), path: new URL(request.url).pathname }
      : request;
  const { client } = counted;
  const organizationId = organization && scopes.includes("organization") ? organization.id : null;
  const connection = organization?.name ?? null;
  try {
    const db = await getDb();
    const checks: [LimitScope, string][] = [];
    if (scopes.includes("address")) checks.push(["address", client.ip ? addressBucket(client.ip) : "unknown"]);
    if (organizationId) checks.push(["organization", organizationId]);
    if (token && scopes.includes("token")) checks.push(["token", token]);
    for (const [scope, key] of checks) {
      const perMinute = config.rateLimits[name][scope];
      if (perMinute === undefined) continue;
      const result = await takeLimit(db, `${name}:${scope}:${key}`, perMinute);
      if (result.retryAfter === 0) continue;
      if (result.firstRefusal) {
        await audit(
          auditEvent(
            "rate_limit.exceeded",
            { limit: name, scope, perMinute, path: counted.path },
            { organizationId, connection, ...client, reason: `${name}.${scope}` },
          ),
        );
      }
      return { retryAfter: result.retryAfter, scope };
    }
  } catch (err) {
    logger.warn({ err, limit: name }, "rate limit could not be counted; request allowed");
  }
  return null;
}

const WHO: Record<LimitScope, string> = {
  address: "your network address",
  organization: "your organization",
  token: "this token",
};

/** 429 page for the sign-in routes (people in a browser). */
export function tooManySignIns(request: Request, limited: Limited): Response {
  return htmlPage({
    status: 429,
    title: "Too many sign-in attempts",
    paragraphs: [
      `Too many sign-ins were started from ${WHO[limited.scope]} in the last minute. Wait ${String(limited.retryAfter)} seconds, then try again.`,
    ],
    headers: { "retry-after": String(limited.retryAfter), "cache-control": "no-store" },
    nonce: request.headers.get("x-nonce"),
  });
}

/** 429 JSON for machine callers (bearer API, Okta's hook and logout calls). */
export function tooManyRequests(limited: Limited): Response {
  return jsonError(
    429,
    "rate_limited",
    `Too many requests from ${WHO[limited.scope]} in the last minute; retry after ${String(limited.retryAfter)} seconds.`,
    { "retry-after": String(limited.retryAfter), "cache-control": "no-store" },
  );
}
