import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { groupId, type Directory, type DirectoryUser } from "../support/directory";
import { ADMIN_ACTOR, publicEvent, type EventHook, type OktaOrg } from "../support/okta-org";
import type { OAuthTokens } from "../support/oauth-tokens";

export type { OAuthTokens };

/** Okta's error body. */
export function oktaError(
  res: ServerResponse,
  status: number,
  errorCode: string,
  errorSummary: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(
    JSON.stringify({
      errorCode,
      errorSummary,
      errorLink: errorCode,
      errorId: `oae${randomUUID().replaceAll("-", "").slice(0, 19)}`,
      errorCauses: [],
    }),
  );
}

/**
 * devidp hands out at most this many groups per page of /api/v1/users/{id}/groups, whatever `limit` asks,
 * so callers that trust the page size (rather than the Link header) break here as they would at Okta.
 */
const GROUPS_PAGE_MAX = 50;
const LOGS_PAGE_MAX = 1000;

interface Bucket {
  windowStart: number;
  used: number;
}

/** Okta's rate-limit headers per token and minute; over the limit, 429 E0000047 until the reset. */
class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  constructor(readonly perMinute: number) {}
  take(token: string): { headers: Record<string, string>; limited: boolean } {
    const now = Date.now();
    const windowStart = now - (now % 60_000);
    let bucket = this.buckets.get(token);
    if (!bucket || bucket.windowStart !== windowStart) {
      bucket = { windowStart, used: 0 };
      this.buckets.set(token, bucket);
    }
    bucket.used++;
    const limited = bucket.used > this.perMinute;
    return {
      limited,
      headers: {
        "x-rate-limit-limit": String(this.perMinute),
        "x-rate-limit-remaining": String(Math.max(0, this.perMinute - bucket.used)),
        "x-rate-limit-reset": String((windowStart + 60_000) / 1000),
      },
    };
  }
}

function groupJson(name: string) {
  return {
    id: groupId(name),
    created: "2026-01-01T00:00:00.000Z",
    lastUpdated: "2026-01-01T00:00:00.000Z",
    lastMembershipUpdated: new Date().toISOString(),
    objectClass: ["okta:user_group"],
    type: "OKTA_GROUP",
    profile: { name, description: null },
  };
}

function userJson(u: DirectoryUser) {
  const [firstName, ...rest] = u.name.split(" ");
  return {
    id: u.id,
    status: u.status ?? "ACTIVE",
    created: "2026-01-01T00:00:00.000Z",
    activated: "2026-01-01T00:00:00.000Z",
    lastUpdated: new Date().toISOString(),
    profile: { login: u.email, email: u.email, firstName: firstName ?? u.name, lastName: rest.join(" ") || null },
    type: { id: "oty1default" },
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error("body too large");
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? (JSON.parse(text) as unknown) : {};
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const SCOPES: Record<string, string> = { GET: "read", HEAD: "read" };

/** Which permission a request needs: okta.<area>.read for reads, okta.<area>.manage for writes. */
function permissionFor(method: string, path: string): string {
  const area = path.startsWith("/api/v1/logs")
    ? "logs"
    : path.startsWith("/api/v1/eventHooks")
      ? "eventHooks"
      : path.startsWith("/api/v1/groups")
        ? "groups"
        : "users";
  return `okta.${area}.${SCOPES[method] ?? "manage"}`;
}

/**
 * Who is calling Okta's management API: an SSWS API token, or an OAuth 2.0 access token of an API Services
 * app from the org authorization server (Bearer or DPoP-bound), whose scopes are its grant. Answers 401 as
 * Okta does and returns null when neither is valid.
 */
export async function authenticateApiCall(
  directory: Directory,
  req: IncomingMessage,
  res: ServerResponse,
  origin: string,
  oauth?: OAuthTokens,
): Promise<{ token: string; grant: string[] } | null> {
  const method = req.method ?? "GET";
  const path = new URL(req.url ?? "/", origin).pathname;
  const scheme = /^(SSWS|Bearer|DPoP) (.+)$/.exec(req.headers.authorization ?? "");
  const token = scheme?.[2];
  let grant: string[] | null = null;
  if (scheme?.[1] === "SSWS" && token) grant = directory.apiToken(token);
  else if (token && oauth) {
    const checked = await oauth(
      token,
      scheme?.[1] === "DPoP" ? { proof: req.headers.dpop, method, url: `${origin}${path}` } : null,
    );
    if (typeof checked === "string") {
      oktaError(
        res,
        401,
        "E0000011",
        `Invalid token provided: ${checked}`,
        scheme?.[1] === "DPoP"
          ? { "www-authenticate": `DPoP error="invalid_dpop_proof", error_description="${checked}"` }
          : {},
      );
      return null;
    }
    grant = checked;
  }
  if (!token || !grant) {
    oktaError(res, 401, "E0000011", "Invalid token provided");
    return null;
  }
  return { token, grant };
}

/**
 * Okta's management API, the parts porter and the demo use: users, groups and memberships (with
 * Access-Requests-like time-bound grants), lifecycle, clear sessions with Universal Logout, the System Log
 * in polling mode, and Event Hooks. Authenticated by `SSWS <token>`, with Okta's rate-limit headers.
 * Returns false when the path is not one of these (the Apps API handles the rest).
 */
export async function handleManagementApi(
  directory: Directory,
  org: OktaOrg,
  limiter: RateLimiter,
  req: IncomingMessage,
  res: ServerResponse,
  origin: string,
  oauth?: OAuthTokens,
): Promise<boolean> {
  const url = new URL(req.url ?? "/", origin);
  const path = url.pathname;
  if (!/^\/api\/v1\/(users|groups|logs|eventHooks)(\/|$)/.test(path)) return false;
  const method = req.method ?? "GET";
  const caller = await authenticateApiCall(directory, req, res, origin, oauth);
  if (!caller) return true;
  const { token, grant } = caller;
  const rate = limiter.take(token);
  if (rate.limited) {
    oktaError(res, 429, "E0000047", "API call exceeded rate limit due to too many requests.", rate.headers);
    return true;
  }
  const needed = permissionFor(method, path);
  if (!grant.includes(needed) && !(needed.endsWith(".read") && grant.includes(needed.replace(".read", ".manage")))) {
    oktaError(res, 403, "E0000006", "You do not have permission to perform the requested action", rate.headers);
    return true;
  }
  const h = rate.headers;
  const seg = path
    .split("/")
    .slice(3)
    .map((s) => decodeURIComponent(s));
  const findUser = (idOrLogin: string | undefined) => (idOrLogin ? directory.userByIdOrLogin(idOrLogin) : null);
  const findGroup = (id: string | undefined) => directory.groupNames().find((g) => groupId(g) === id) ?? null;
  const notFound = (what: string, id: string | undefined) => {
    oktaError(res, 404, "E0000007", `Not found: Resource not found: ${id ?? ""} (${what})`, h);
  };

  // Users
  if (seg[0] === "users" && seg.length === 2 && method === "GET") {
    const user = findUser(seg[1]);
    if (!user) notFound("User", seg[1]);
    else json(res, 200, userJson(user), h);
    return true;
  }
  // Okta's partial profile update (POST /api/v1/users/{id} {"profile": {...}}): firstName and lastName.
  if (seg[0] === "users" && seg.length === 2 && method === "POST") {
    const user = findUser(seg[1]);
    if (!user) {
      notFound("User", seg[1]);
      return true;
    }
    let body = "";
    for await (const chunk of req) body += String(chunk);
    const profile =
      (JSON.parse(body || "{}") as { profile?: { firstName?: unknown; lastName?: unknown } }).profile ?? {};
    const [first = "", ...last] = user.name.split(" ");
    const firstName = typeof profile.firstName === "string" ? profile.firstName : first;
    const lastName = typeof profile.lastName === "string" ? profile.lastName : last.join(" ");
    user.name = `${firstName} ${lastName}`.trim();
    org.emit("user.account.update_profile", "Update user profile for Okta", ADMIN_ACTOR, [
      { id: user.id, type: "User", alternateId: user.email, displayName: user.name },
    ]);
    json(res, 200, userJson(user), h);
    return true;
  }
  if (seg[0] === "users" && seg[2] === "groups" && seg.length === 3 && method === "GET") {
    const user = findUser(seg[1]);
    if (!user) {
      notFound("User", seg[1]);
      return true;
    }
    const limit = Math.min(GROUPS_PAGE_MAX, Math.max(1, Number(url.searchParams.get("limit") ?? "200") || 200));
    const after = url.searchParams.get("after");
    const all = [...user.groups].sort().map(groupJson);
    const start = after ? all.findIndex((g) => g.id === after) + 1 : 0;
    const page = all.slice(start, start + limit);
    const links = [`<${origin}${path}?limit=${String(limit)}${after ? `&after=${after}` : ""}>; rel="self"`];
    const last = page.at(-1);
    if (last && start + limit < all.length)
      links.push(`<${origin}${path}?limit=${String(limit)}&after=${last.id}>; rel="next"`);
    json(res, 200, page, { ...h, link: links.join(", ") });
    return true;
  }
  if (seg[0] === "users" && seg[2] === "lifecycle" && seg.length === 4 && method === "POST") {
    const user = findUser(seg[1]);
    if (!user) {
      notFound("User", seg[1]);
      return true;
    }
    const action = seg[3];
    if (action === "deactivate")
      org.setStatus(user, "DEPROVISIONED", "user.lifecycle.deactivate", "Deactivate Okta user");
    else if (action === "suspend") org.setStatus(user, "SUSPENDED", "user.lifecycle.suspend", "Suspend Okta user");
    else if (action === "unsuspend") org.setStatus(user, "ACTIVE", "user.lifecycle.unsuspend", "Unsuspend Okta user");
    else if (action === "activate") org.setStatus(user, "ACTIVE", "user.lifecycle.activate", "Activate Okta user");
    else if (action === "reset_password")
      org.emit("user.account.reset_password", "Reset password for Okta user", ADMIN_ACTOR, [
        { id: user.id, type: "User", alternateId: user.email, displayName: user.name },
      ]);
    else {
      oktaError(res, 404, "E0000022", "The endpoint does not support the provided HTTP method", h);
      return true;
    }
    json(res, 200, {}, h);
    return true;
  }
  if (seg[0] === "users" && seg[2] === "sessions" && seg.length === 3 && method === "DELETE") {
    const user = findUser(seg[1]);
    if (!user) {
      notFound("User", seg[1]);
      return true;
    }
    const results = await org.clearSessions(user, url.searchParams.get("universalLogout") === "true");
    // Okta answers 204; devidp adds what each app answered, for the demo and tests.
    res.writeHead(204, { ...h, "x-devidp-universal-logout": JSON.stringify(results) });
    res.end();
    return true;
  }

  // Groups
  if (seg[0] === "groups" && seg.length === 1 && method === "GET") {
    const q = (url.searchParams.get("q") ?? "").toLowerCase();
    json(
      res,
      200,
      directory
        .groupNames()
        .filter((g) => g.toLowerCase().startsWith(q))
        .slice(0, 200)
        .map(groupJson),
      h,
    );
    return true;
  }
  if (seg[0] === "groups" && seg[2] === "users" && seg.length === 4 && (method === "PUT" || method === "DELETE")) {
    const group = findGroup(seg[1]);
    const user = findUser(seg[3]);
    if (!group) notFound("UserGroup", seg[1]);
    else if (!user) notFound("User", seg[3]);
    else if (method === "DELETE") {
      org.removeMembership(user, group, ADMIN_ACTOR);
      res.writeHead(204, h).end();
    } else {
      // devidp's stand-in for an Okta Access Requests time-bound grant: ?expiresInSeconds=N.
      const seconds = url.searchParams.get("expiresInSeconds");
      const n = seconds === null ? undefined : Number(seconds);
      if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > 7 * 86400)) {
        oktaError(
          res,
          400,
          "E0000001",
          "Api validation failed: expiresInSeconds must be a whole number of seconds, 1 to 604800",
          h,
        );
        return true;
      }
      const { expiresAt } = org.addMembership(user, group, ADMIN_ACTOR, n);
      res.writeHead(204, { ...h, ...(expiresAt ? { "x-devidp-grant-expires": expiresAt } : {}) }).end();
    }
    return true;
  }

  // System Log, polling mode: ascending, a `next` link always present (the durable checkpoint).
  if (seg[0] === "logs" && seg.length === 1 && method === "GET") {
    const after = Number(url.searchParams.get("after") ?? "0") || 0;
    const since = url.searchParams.get("since");
    const limit = Math.min(LOGS_PAGE_MAX, Math.max(1, Number(url.searchParams.get("limit") ?? "100") || 100));
    const filter = url.searchParams.get("filter") ?? "";
    const types = [...filter.matchAll(/eventType eq "([^"]+)"/g)].map((m) => m[1]);
    const uuids = [...filter.matchAll(/uuid eq "([^"]+)"/g)].map((m) => m[1]);
    const sinceMs = since ? Date.parse(since) : Number.NaN;
    const matching = org.log.filter(
      (e) =>
        e.seq > after &&
        (types.length === 0 || types.includes(e.eventType)) &&
        (uuids.length === 0 || uuids.includes(e.uuid)) &&
        (Number.isNaN(sinceMs) || Date.parse(e.published) >= sinceMs),
    );
    const page = matching.slice(0, limit);
    const cursor = page.at(-1)?.seq ?? Math.max(after, org.log.at(-1)?.seq ?? 0);
    const next = new URL(`${origin}/api/v1/logs`);
    for (const [k, v] of url.searchParams) if (k !== "after" && k !== "since") next.searchParams.set(k, v);
    next.searchParams.set("after", String(cursor));
    json(res, 200, page.map(publicEvent), {
      ...h,
      link: `<${url.toString()}>; rel="self", <${next.toString()}>; rel="next"`,
    });
    return true;
  }

  // Event Hooks
  if (seg[0] === "eventHooks" && seg.length === 1 && method === "GET") {
    json(res, 200, org.hooks.map(hookJson), h);
    return true;
  }
  if (seg[0] === "eventHooks" && seg.length === 1 && method === "POST") {
    let body: Partial<EventHook>;
    try {
      body = (await readJson(req)) as Partial<EventHook>;
    } catch {
      oktaError(res, 400, "E0000003", "The request body was not well-formed.", h);
      return true;
    }
    const uri = body.channel?.config.uri;
    const items = body.events?.items;
    if (!body.name || !uri || !Array.isArray(items) || items.length === 0 || items.length > 300) {
      oktaError(
        res,
        400,
        "E0000001",
        "Api validation failed: name, events.items (1 to 300) and channel.config.uri are required",
        h,
      );
      return true;
    }
    const hook: EventHook = {
      id: `who${randomUUID().replaceAll("-", "").slice(0, 17)}`,
      name: body.name,
      status: "ACTIVE",
      verificationStatus: "UNVERIFIED",
      events: { type: "EVENT_TYPE", items },
      channel: {
        type: "HTTP",
        version: "1.0.0",
        config: {
          uri,
          headers: body.channel?.config.headers ?? [],
          authScheme: body.channel?.config.authScheme ?? null,
        },
      },
      created: new Date().toISOString(),
      ...(body.devidp ? { devidp: body.devidp } : {}),
    };
    org.hooks.push(hook);
    json(res, 200, hookJson(hook), h);
    return true;
  }
  if (seg[0] === "eventHooks" && seg[2] === "lifecycle" && seg[3] === "verify" && method === "POST") {
    const hook = org.hooks.find((x) => x.id === seg[1]);
    if (!hook) notFound("EventHook", seg[1]);
    else if (await org.verify(hook)) json(res, 200, hookJson(hook), h);
    else
      oktaError(
        res,
        400,
        "E0000001",
        "Api validation failed: Verification failed: the endpoint did not echo the verification challenge",
        h,
      );
    return true;
  }
  if (seg[0] === "eventHooks" && seg.length === 2 && method === "DELETE") {
    const at = org.hooks.findIndex((x) => x.id === seg[1]);
    if (at < 0) notFound("EventHook", seg[1]);
    else {
      org.hooks.splice(at, 1);
      res.writeHead(204, h).end();
    }
    return true;
  }
  oktaError(res, 404, "E0000022", "The endpoint does not support the provided HTTP method", h);
  return true;
}

/** A hook as Okta returns it: the secret is write-only, never sent back. */
function hookJson(hook: EventHook) {
  const auth = hook.channel.config.authScheme;
  return {
    ...hook,
    channel: {
      ...hook.channel,
      config: { ...hook.channel.config, authScheme: auth ? { type: auth.type, key: auth.key } : null },
    },
  };
}

export { RateLimiter };
