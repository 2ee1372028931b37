import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { lockGroupWrites, organizationFor, ruleSetFor } from "../organizations";
import { applyPersonGroups, readSignInGroups } from "../people";
import { pollingIsCurrent } from "./mode";
import { getLogCursor } from "./system-log-poll";
import { appendAuditEvent, auditEvent } from "../audit";
import type { Config, Connection } from "../config";
import type { Db } from "../db/client";
import { sessions } from "../db/schema";
import { logger } from "../log";
import { refreshAtOkta, verifyIdToken } from "../okta";
import type { ActiveSession } from "../sessions/store";
import { seal, sessionTokenContext, unseal } from "../sessions/seal";

const LEASE_SECONDS = 30;

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
  // Okta pushes this organization's groups over SCIM: every push is applied when it arrives, and there is
  // nothing to re-read them from (an app listed in the OIN has no refresh token and no groups claim).
  if (connection?.groupsSource === "scim") return { ok: true, refreshed: false };
  const age = Date.now() - session.groupsConfirmedAt.getTime();
  if (age <= config.groupsMaxAgeSeconds * 1000) return { ok: true, refreshed: false };
  if (await pollingKeepsCurrent(db, session.organizationId, config)) return { ok: true, refreshed: false };
  const withinGrace = age <= (config.groupsMaxAgeSeconds + config.groupsGraceSeconds) * 1000;
  const context = sessionTokenContext(session.idHash, "refresh_token");
  const sealed = session.refreshToken ? unseal(config.authSecret, session.refreshToken, context) : null;
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
  const okta = { actor: "Okta", actorSub: null };
  const refused = async (why: string): Promise<Freshness> => {
    await db.transaction(async (tx) => {
      await tx
        .update(sessions)
        .set({ revokedAt: new Date(), revokedReason: "okta_refused_refresh", groupsRefreshLease: null })
        .where(thisSession);
      await appendAuditEvent(
        tx,
        auditEvent(
          "session.revoked",
          { cause: "okta_refused_refresh", sessions: 1, why },
          {
            organizationId: session.organizationId,
            connection: connection.name,
            ...okta,
            target: `user:${user.id}`,
            targetLabel: user.email ?? user.sub,
            reason: "okta_refused_refresh",
          },
        ),
      );
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
  // The session's organization, with its connection's break-glass groups and filter.
  const organization = { ...(await organizationFor(db, connection)), id: session.organizationId };
  const ruleSet = await ruleSetFor(db, organization);
  const read = await readSignInGroups(connection, ruleSet, user.sub, claims[connection.groupsClaim], ctx.fetchImpl);
  await db.transaction(async (tx) => {
    // As a sign-in: under the group-writes lock, shared, with the rules in force now.
    await lockGroupWrites(tx, session.organizationId, "shared");
    await applyPersonGroups(
      tx,
      {
        organizationId: session.organizationId,
        connection: connection.name,
        ruleSet: await ruleSetFor(tx, organization, { current: true }),
        cause: "groups_refreshed",
        confirmed: true,
        by: okta,
      },
      {
        person: user,
        groups: read.sourceGroups,
        why: `groups re-read from Okta after ${String(Math.round(age / 1000))} s (GROUPS_MAX_AGE ${String(config.groupsMaxAgeSeconds)} s)`,
      },
    );
    await tx
      .update(sessions)
      .set({
        groupsRefreshLease: null,
        groupsSource: read.source,
        ...(answer.refreshToken ? { refreshToken: seal(config.authSecret, answer.refreshToken, context) } : {}),
      })
      .where(thisSession);
  });
  return { ok: true, refreshed: true };
}
