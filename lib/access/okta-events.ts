import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { appendAuditEvent } from "../audit/write";
import type { Db } from "../db/client";
import { oktaEvents, sessions, users } from "../db/schema";
import { resolveIdentity } from "../rbac";
import { ensureTeams, getUserTeams, replaceMemberships, replaceStoredRoles, type RuleDefaults } from "./queries";
import { getCompiledRuleSet } from "./rule-sets";

/** A System Log LogEvent, as far as porter reads it. */
export interface LogEventLike {
  uuid: string;
  published: string;
  eventType: string;
  target?: { id?: string | undefined; type?: string | undefined; alternateId?: string | null | undefined; displayName?: string | null | undefined }[] | null | undefined;
}

/** Group membership events: the person's groups change. */
const MEMBERSHIP = new Set(["group.user_membership.add", "group.user_membership.remove"]);
/** Events after which the person may not keep a porter session. */
const END_SESSIONS = new Set(["user.lifecycle.deactivate", "user.lifecycle.suspend", "user.lifecycle.delete.initiated", "application.user_membership.remove", "user.session.clear"]);

/**
 * Stores a delivery's events durably (before Okta is answered), once per uuid: a repeated or retried
 * delivery adds nothing. Returns how many were new.
 */
export async function enqueueOktaEvents(db: Db, input: { organizationId: string; connection: string; deliveryId: string | null; source: "event_hook" | "system_log"; events: readonly LogEventLike[] }): Promise<number> {
  if (input.events.length === 0) return 0;
  const rows = await db
    .insert(oktaEvents)
    .values(
      input.events.map((e) => ({
        organizationId: input.organizationId,
        uuid: e.uuid,
        connection: input.connection,
        eventType: e.eventType,
        published: new Date(e.published),
        deliveryId: input.deliveryId,
        source: input.source,
        event: JSON.parse(JSON.stringify(e).replaceAll("\\u0000", "")) as Record<string, unknown>,
      })),
    )
    .onConflictDoNothing()
    .returning({ uuid: oktaEvents.uuid });
  return rows.length;
}

export interface AppliedEvent {
  uuid: string;
  outcome: string;
}

/**
 * Applies the organization's pending Okta events in the order they happened (`published`), each in a
 * transaction with its audit events: a group added or removed changes the person's groups, teams and
 * roles through the one identity pipeline; a deactivation, suspension, unassignment or cleared session
 * ends their porter sessions. Their next request already sees it.
 */
export async function applyPendingOktaEvents(db: Db, organizationId: string, defaults: RuleDefaults, limit = 500): Promise<AppliedEvent[]> {
  const pending = await db
    .select()
    .from(oktaEvents)
    .where(and(eq(oktaEvents.organizationId, organizationId), isNull(oktaEvents.processedAt)))
    .orderBy(asc(oktaEvents.published), asc(oktaEvents.receivedAt))
    .limit(limit);
  const done: AppliedEvent[] = [];
  for (const row of pending) {
    const outcome = await db.transaction(async (tx) => {
      // Claimed under a row lock: two nodes (or two deliveries) never apply one event twice.
      const [claimed] = await tx
        .select({ uuid: oktaEvents.uuid })
        .from(oktaEvents)
        .where(and(eq(oktaEvents.organizationId, organizationId), eq(oktaEvents.uuid, row.uuid), isNull(oktaEvents.processedAt)))
        .for("update", { skipLocked: true });
      if (!claimed) return null;
      const result = await applyOne(tx, organizationId, row.connection, row.event as unknown as LogEventLike, defaults);
      await tx
        .update(oktaEvents)
        .set({ processedAt: new Date(), outcome: result, attempts: sql`${oktaEvents.attempts} + 1` })
        .where(and(eq(oktaEvents.organizationId, organizationId), eq(oktaEvents.uuid, row.uuid)));
      return result;
    });
    if (outcome !== null) done.push({ uuid: row.uuid, outcome });
  }
  return done;
}

async function applyOne(tx: Db, organizationId: string, connection: string, event: LogEventLike, defaults: RuleDefaults): Promise<string> {
  const targets = event.target ?? [];
  const userTarget = targets.find((t) => t.type === "User");
  if (!MEMBERSHIP.has(event.eventType) && !END_SESSIONS.has(event.eventType)) return `ignored: porter does not act on ${event.eventType}`;
  if (!userTarget?.id) return "skipped: the event names no user (re-reading the user needs the Okta Users API, not configured)";
  const [user] = await tx
    .select({ id: users.id, email: users.email, sub: users.sub, sourceGroups: users.sourceGroups })
    .from(users)
    .where(and(eq(users.organizationId, organizationId), eq(users.sub, userTarget.id)));
  if (!user) return "ignored: nobody in this organization has this Okta user id";
  const who = { organizationId, connection, actor: "Okta", actorSub: null, target: `user:${user.id}`, targetLabel: user.email ?? user.sub };

  if (END_SESSIONS.has(event.eventType)) {
    const ended = await tx
      .update(sessions)
      .set({ revokedAt: new Date(), revokedReason: event.eventType })
      .where(and(eq(sessions.organizationId, organizationId), eq(sessions.userId, user.id), isNull(sessions.revokedAt)))
      .returning({ idHash: sessions.idHash });
    await appendAuditEvent(tx, { type: "session.revoked", ...who, reason: event.eventType, details: { cause: "okta_event", event: event.uuid, eventType: event.eventType, sessions: ended.length } });
    return `applied: ${String(ended.length)} session(s) ended`;
  }

  const group = targets.find((t) => t.type === "UserGroup")?.displayName;
  if (!group) return "skipped: the event names no group (re-reading the user's groups needs the Okta Users API, not configured)";
  const before = user.sourceGroups ?? (await getUserTeams(tx, user.id));
  const adding = event.eventType === "group.user_membership.add";
  const groups = adding ? (before.includes(group) ? before : [...before, group]) : before.filter((g) => g !== group);
  await tx.update(users).set({ sourceGroups: groups }).where(eq(users.id, user.id));
  const ruleSet = await getCompiledRuleSet(tx, organizationId, defaults);
  const mapping = resolveIdentity(ruleSet, { kind: "groups", groups });
  const teams = await replaceMemberships(tx, organizationId, user.id, await ensureTeams(tx, organizationId, mapping.keptGroups));
  const roles = await replaceStoredRoles(tx, organizationId, user.id, mapping.roles, ruleSet.version);
  const change = `Okta ${adding ? "added" : "removed"} ${group}`;
  await appendAuditEvent(tx, { type: "okta.event", ...who, reason: event.eventType, details: { event: event.uuid, eventType: event.eventType, group, change, joined: teams.joined, left: teams.left } });
  if (roles.gained.length > 0 || roles.lost.length > 0) {
    await appendAuditEvent(tx, {
      type: "roles.changed",
      ...who,
      reason: "okta_event",
      details: { cause: "okta_event", change: `${[roles.gained.length ? `gained ${roles.gained.join(", ")}` : "", roles.lost.length ? `lost ${roles.lost.join(", ")}` : ""].filter(Boolean).join("; ")}: ${change}, event ${event.uuid}`, event: event.uuid, gained: roles.gained, lost: roles.lost },
    });
  }
  return `applied: ${change}`;
}
