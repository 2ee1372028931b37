import "server-only";
import { timingSafeEqual, createHash } from "node:crypto";
import { getConfig } from "../config";
import { getDbHandle } from "../db";
import { getOidcMetadata, OktaError } from "../okta";
import { liveGroupsModeFor } from "../live-groups/mode";
import { sessionCacheFor, type SessionCache } from "../sessions";

type Check = { status: "ok" } | { status: "error"; code: string; message: string };

async function check(fn: () => Promise<unknown>): Promise<Check> {
  try {
    await fn();
    return { status: "ok" };
  } catch (err) {
    if (err instanceof OktaError) return { status: "error", code: err.code, message: err.userMessage };
    return { status: "error", code: "unavailable", message: "not reachable" };
  }
}

/** Whether the request may see per-connection details: HEALTH_TOKEN as a Bearer token (constant-time compare). */
export function mayReadHealthDetails(authorization: string | null): boolean {
  const token = getConfig().healthToken;
  const sent = /^Bearer (\S+)$/.exec(authorization ?? "")?.[1];
  if (!token || !sent) return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(sent), digest(token));
}

/**
 * Database and discovery status. The public sees totals only (no organization is named: which customers
 * a deployment serves is not public); per-connection details need HEALTH_TOKEN or a platform operator.
 */
export async function getHealth(options: { details: boolean }) {
  const config = getConfig();
  const [database, ...connections] = await Promise.all([
    check(async () => (await getDbHandle()).ping()),
    ...config.connections.map((c) => check(() => getOidcMetadata(c.issuer))),
  ]);
  const ok = connections.filter((c) => c.status === "ok").length;
  // The documented staleness bound: groups older than GROUPS_MAX_AGE are re-read; while Okta cannot be
  // reached they are served GROUPS_GRACE more, then the session is refused (fail closed).
  const liveGroups = {
    groupsMaxAgeSeconds: config.groupsMaxAgeSeconds,
    groupsGraceSeconds: config.groupsGraceSeconds,
    logPollSeconds: config.logPollSeconds,
  };
  const modes = options.details && database?.status === "ok" ? await liveGroupModes() : null;
  return {
    status: database?.status === "ok" && ok === connections.length ? "ok" : "degraded",
    region: config.region,
    database: { kind: config.database.kind, ...database },
    connections: options.details
      ? config.connections.map((c, i) => ({
          name: c.name,
          region: c.region,
          issuer: c.issuer,
          discovery: connections[i],
          ...(modes?.get(c.name) ? { liveGroups: modes.get(c.name) } : {}),
        }))
      : { total: connections.length, discoveryOk: ok },
    liveGroups,
    ...(options.details ? { sessionCache: await sessionCacheStats() } : {}),
  };
}

/** This node's session cache (lib/sessions/cache.ts): whether memory is trusted now, and how often it served. */
async function sessionCacheStats(): Promise<ReturnType<SessionCache["stats"]> | null> {
  const handle = await getDbHandle().catch(() => null);
  return handle ? (sessionCacheFor(handle.db)?.stats() ?? null) : null;
}

async function liveGroupModes(): Promise<
  Map<string, { sources: string[]; worstCaseSeconds: number; problem: string | null }>
> {
  const config = getConfig();
  const db = (await getDbHandle()).db;
  const out = new Map<string, { sources: string[]; worstCaseSeconds: number; problem: string | null }>();
  for (const c of config.connections.filter((x) => x.region === config.region)) {
    const { sources, worstCaseSeconds, problem } = await liveGroupsModeFor(db, c, config);
    out.set(c.name, { sources, worstCaseSeconds, problem });
  }
  return out;
}

/**
 * Whether this node can serve: its database is open, migrated (opening runs the migrations, once across
 * nodes) and answers a query within 2 s. No organization is named.
 */
export async function readiness(): Promise<{ status: "ready" | "not_ready"; database: string }> {
  const timeout = new Promise<never>((_, reject) => {
    setTimeout(() => {
      reject(new Error("timeout"));
    }, 2000).unref();
  });
  try {
    await Promise.race([(async () => (await getDbHandle()).ping())(), timeout]);
    return { status: "ready", database: "ok" };
  } catch {
    return { status: "not_ready", database: "not ready (not open, not migrated, or not answering within 2 s)" };
  }
}
