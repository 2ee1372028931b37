import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { getCompiledRuleSet } from "../organizations";
import { readSignInGroups } from "../people";
import { applyPersonGroups } from "../people/apply-groups";
import { pollingIsCurrent } from "./mode";
import { getLogCursor } from "./system-log-poll";
import { appendAuditEvent } from "../audit/write";
import type { Config, Connection } from "../config";
import type { Db } from "../db/client";
import { sessions } from "../db/schema";
import { logger } from "../log";
import { getOidcMetadata, verifyIdToken } from "../okta";
import type { ActiveSession } from "../sessions/store";
import { seal, unseal } from "../auth/seal";

const LEASE_SECONDS = 30;
const REFRESH_TIMEOUT_MS = 4000;

/** Why a session's groups could not be kept: too old and not re-read in time, or Okta refused the refresh. */
export type StaleRejection = "groups_stale" | "okta_refused_refresh";

const pollKey = Symbol.for("porter.poll-health");
type PollCache = Map<string, { at: number; healthy: boolean }>;
const pollHealth: PollCache = ((globalThis as typeof globalThis & { [pollKey]?: PollCache })[pollKey] ??= new Map<
  string,
  { at: number; healthy: boolean }
>());

/**
 * Whether the organization's System Log polling is working (a successful poll within two intervals):
 * then its sessions' groups are kept current by polling, and no per-session re-read is needed.
 * Cached for 5 s per process, so this costs no query on most requests.
 */
export async function pollingKeepsCurrent(
  db: Db,
  organizationId: string,
  config: Pick<Config, "logPollSeconds">,
): Promise<boolean> {
  if (config.logPollSeconds === 0) return false;
  const cached = pollHealth.get(organizationId);
  if (cached && Date.now() - cached.at < 5000) return cached.healthy;
  const healthy = pollingIsCurrent(await getLogCursor(db, organizationId), config);
  pollHealth.set(organizationId, { at: Date.now(), healthy });
  return healthy;
}

type Freshness = { ok: true; refreshed: boolean } | { ok: false; rejected: StaleRejection };

/** What re-reading needs: who is asking (for the audit log) and the deployment's secret and limits. */
export interface FreshnessContext {
  config: Pick<Config, "authSecret" | "groupsMaxAgeSeconds" | "groupsGraceSeconds" | "logPollSeconds">;
  fetchImpl?: typeof fetch;
}

type TokenAnswer =
  { ok: true; idToken: string; refreshToken: string | null } | { ok: false; refused: boolean; why: string };

async function refreshAtOkta(
  connection: Connection,
  refreshToken: string,
  fetchImpl: typeof fetch,
): Promise<TokenAnswer> {
  try {
    const { token_endpoint } = await getOidcMetadata(connection.issuer);
    const body = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      scope: connection.scopes,
    });
    const headers: Record<string, string> = {
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    };
    if (connection.clientSecret)
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(connection.clientId)}:${encodeURIComponent(connection.clientSecret)}`).toString("base64")}`;
    else body.set("client_id", connection.clientId);
    const res = await fetchImpl(token_endpoint, {
      method: "POST",
      headers,
      body,
      redirect: "error",
      signal: AbortSignal.timeout(REFRESH_TIMEOUT_MS),
    });
    const json = (await res.json().catch(() => ({}))) as {
      id_token?: unknown;
      refresh_token?: unknown;
      error?: unknown;
    };
    if (res.status === 400 || res.status === 401)
      return {
        ok: false,
        refused: true,
        why: `Okta refused the refresh token (${typeof json.error === "string" ? json.error : `HTTP ${String(res.status)}`})`,
      };
    if (!res.ok || typeof json.id_token !== "string")
      return {
        ok: false,
        refused: false,
        why: `Okta's token endpoint answered HTTP ${String(res.status)}${typeof json.id_token === "string" ? "" : " without an ID token"}`,
      };
    return {
      ok: true,
      idToken: json.id_token,
      refreshToken: typeof json.refresh_token === "string" ? json.refresh_token : null,
    };
  } catch (err) {
    return {
      ok: false,
      refused: false,
      why: `Okta could not be reached: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

/**
 * GROUPS_MAX_AGE: a session whose groups Okta has not confirmed for longer than that (no working System
 * Log polling for its organization) has them re-read now, silently, with its refresh token: a new ID
 * token, checked like any other, through the one identity pipeline. One node re-reads at a time (a lease
 * on the session). If Okta cannot be reached, the old groups are served for GROUPS_GRACE more, then the
 * session is refused (fail closed); if Okta refuses the refresh token, the session ends at once. Without
 * a refresh token the session is refused once stale: the person signs in again (silently at Okta when
 * their Okta session is alive).
 */
export async function keepGroupsFresh(
  db: Db,
  active: ActiveSession,
  connection: Connection | undefined,
  ctx: FreshnessContext,
): Promise<Freshness> {
  const { session, user } = active;
  const { config } = ctx;
  const age = Date.now() - session.groupsConfirmedAt.getTime();
  if (age <= config.groupsMaxAgeSeconds * 1000) return { ok: true, refreshed: false };
  if (await pollingKeepsCurrent(db, session.organizationId, config)) return { ok: true, refreshed: false };
  const withinGrace = age <= (config.groupsMaxAgeSeconds + config.groupsGraceSeconds) * 1000;
  const sealed = session.refreshToken ? unseal(config.authSecret, session.refreshToken) : null;
  if (!connection || !sealed) {
    logger.info(
      { event: "groups_stale", connection: session.connection, ageSeconds: Math.round(age / 1000) },
      "stale groups and no refresh token: the person signs in again",
    );
    return { ok: false, rejected: "groups_stale" };
  }

  const [leased] = await db
    .update(sessions)
    .set({ groupsRefreshLease: sql`now() + make_interval(secs => ${LEASE_SECONDS})` })
    .where(
      and(
        eq(sessions.idHash, session.idHash),
        isNull(sessions.revokedAt),
        or(isNull(sessions.groupsRefreshLease), lt(sessions.groupsRefreshLease, sql`now()`)),
      ),
    )
    .returning({ idHash: sessions.idHash });
  // Not re-read this time (another request or node holds the lease, or Okta failed): the old groups are
  // served while within grace, then refused.
  const stale = (): Freshness =>
    withinGrace ? { ok: true, refreshed: false } : { ok: false, rejected: "groups_stale" };
  if (!leased) return stale();
  const thisSession = eq(sessions.idHash, session.idHash);
  const failed = async (log: Record<string, unknown>, message: string): Promise<Freshness> => {
    await db.update(sessions).set({ groupsRefreshLease: null }).where(thisSession);
    logger.warn({ event: "groups_refresh_failed", connection: connection.name, withinGrace, ...log }, message);
    return stale();
  };
  const who = {
    organizationId: session.organizationId,
    connection: connection.name,
    actor: "Okta",
    actorSub: null,
    target: `user:${user.id}`,
    targetLabel: user.email ?? user.sub,
  };
  const refused = async (why: string): Promise<Freshness> => {
    await db.transaction(async (tx) => {
      await tx
        .update(sessions)
        .set({ revokedAt: new Date(), revokedReason: "okta_refused_refresh", groupsRefreshLease: null })
        .where(thisSession);
      await appendAuditEvent(tx, {
        type: "session.revoked",
        ...who,
        reason: "okta_refused_refresh",
        details: { cause: "okta_refused_refresh", why },
      });
    });
    return { ok: false, rejected: "okta_refused_refresh" };
  };

  const answer = await refreshAtOkta(connection, sealed, ctx.fetchImpl ?? fetch);
  if (!answer.ok)
    return answer.refused
      ? refused(answer.why)
      : failed({ why: answer.why }, "stale groups could not be re-read from Okta");
  let claims;
  try {
    claims = await verifyIdToken(answer.idToken, { issuer: connection.issuer, clientId: connection.clientId });
  } catch (err) {
    return failed({ err }, "the refreshed ID token failed its checks");
  }
  if (claims.sub !== user.sub) return refused("the refreshed ID token names another person (sub)");
  const ruleSet = await getCompiledRuleSet(db, session.organizationId, connection);
  const read = await readSignInGroups(connection, ruleSet, user.sub, claims[connection.groupsClaim], ctx.fetchImpl);
  await db.transaction(async (tx) => {
    await applyPersonGroups(tx, {
      organizationId: session.organizationId,
      userId: user.id,
      groups: read.sourceGroups,
      ruleSet,
      who,
      cause: "groups_refreshed",
      change: `groups re-read from Okta after ${String(Math.round(age / 1000))} s (GROUPS_MAX_AGE ${String(config.groupsMaxAgeSeconds)} s)`,
    });
    await tx
      .update(sessions)
      .set({
        groupsRefreshLease: null,
        groupsSource: read.source,
        ...(answer.refreshToken ? { refreshToken: seal(config.authSecret, answer.refreshToken) } : {}),
      })
      .where(thisSession);
  });
  return { ok: true, refreshed: true };
}
