import { and, asc, desc, eq, isNotNull, isNull, lt, sql } from "drizzle-orm";
import { inList, jsonRows } from "../../db/in-list";
import type { Db, Queryable } from "../../db/client";
import { oktaEvents, oktaMembershipMarks } from "../../db/schema";
import { slimEvent, withoutNul, type LogEventLike } from "./log-event";
import { describeOutcome, outcomeCode, type OktaEventOutcome } from "./outcome";

/**
 * Stores a delivery's events durably (before Okta is answered), once per uuid: a repeated or retried
 * delivery adds nothing. Returns how many were new.
 */
export async function enqueueOktaEvents(
  db: Queryable,
  input: {
    organizationId: string;
    connection: string;
    deliveryId: string | null;
    source: "event_hook" | "system_log";
    events: readonly LogEventLike[];
  },
): Promise<number> {
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
        event: withoutNul(slimEvent(e)) as unknown as Record<string, unknown>,
      })),
    )
    .onConflictDoNothing()
    .returning({ uuid: oktaEvents.uuid });
  return rows.length;
}

/** Up to `size` pending events of the organization, oldest `published` first. */
export async function readPending(
  db: Queryable,
  organizationId: string,
  size: number,
): Promise<{ uuid: string; event: LogEventLike }[]> {
  const rows = await db
    .select({ uuid: oktaEvents.uuid, event: oktaEvents.event })
    .from(oktaEvents)
    .where(and(eq(oktaEvents.organizationId, organizationId), isNull(oktaEvents.processedAt)))
    .orderBy(asc(oktaEvents.published), asc(oktaEvents.receivedAt))
    .limit(size);
  return rows.map((r) => ({ uuid: r.uuid, event: r.event as unknown as LogEventLike }));
}

/** Claims pending events under row locks (SKIP LOCKED: two nodes never apply one event twice). */
export async function claimPending(
  db: Queryable,
  organizationId: string,
  uuids: readonly string[],
): Promise<Set<string>> {
  if (uuids.length === 0) return new Set();
  const claimed = await db
    .select({ uuid: oktaEvents.uuid })
    .from(oktaEvents)
    .where(
      and(
        eq(oktaEvents.organizationId, organizationId),
        inList(oktaEvents.uuid, uuids, "text"),
        isNull(oktaEvents.processedAt),
      ),
    )
    .for("update", { skipLocked: true });
  return new Set(claimed.map((c) => c.uuid));
}

/** Records the events as processed with their outcomes, in one statement. */
export async function markProcessed(
  db: Queryable,
  organizationId: string,
  outcomes: readonly { uuid: string; outcome: OktaEventOutcome }[],
): Promise<void> {
  if (outcomes.length === 0) return;
  const rows = outcomes.map((o) => ({ uuid: o.uuid, code: outcomeCode(o.outcome), detail: o.outcome }));
  await db.execute(sql`
    update ${oktaEvents} set processed_at = now(), outcome_code = v.code, outcome_detail = v.detail, attempts = ${oktaEvents.attempts} + 1
    from ${jsonRows(rows, { uuid: "text", code: "text", detail: "jsonb" }, "v")}
    where ${oktaEvents.organizationId} = ${organizationId} and ${oktaEvents.uuid} = v.uuid`);
}

/** Events of an organization still waiting (for the console and tests). */
export async function countPending(db: Db, organizationId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(oktaEvents)
    .where(and(eq(oktaEvents.organizationId, organizationId), isNull(oktaEvents.processedAt)));
  return row?.n ?? 0;
}

export interface RecentOktaEvent {
  uuid: string;
  eventType: string;
  /** The person it named (their Okta login), as Okta sent it. */
  person: string | null;
  published: Date;
  receivedAt: Date;
  source: "event_hook" | "system_log";
  /** What porter did, in words (null while it waits to be applied). */
  outcome: string | null;
}

/** The organization's latest Okta events and what porter did with each, newest first (for the console). */
export async function recentOktaEvents(db: Queryable, organizationId: string, limit = 20): Promise<RecentOktaEvent[]> {
  const rows = await db
    .select()
    .from(oktaEvents)
    .where(eq(oktaEvents.organizationId, organizationId))
    .orderBy(desc(oktaEvents.receivedAt), desc(oktaEvents.published))
    .limit(limit);
  return rows.map((r) => {
    const event = r.event as unknown as LogEventLike;
    const user = (event.target ?? []).find((t) => t.type === "User");
    const parsed = r.outcomeDetail as OktaEventOutcome | null;
    return {
      uuid: r.uuid,
      eventType: r.eventType,
      person: user?.alternateId ?? user?.id ?? null,
      published: r.published,
      receivedAt: r.receivedAt,
      source: r.source,
      outcome: r.processedAt ? (parsed ? describeOutcome(parsed, r.eventType) : r.outcome) : null,
    };
  });
}

/** How long porter keeps processed Okta events (and refuses a replay of anything older). */
export const OKTA_EVENTS_RETENTION_MS = 30 * 86_400_000;

/**
 * Deletes processed events (and ordering marks) older than the retention period; an event published before
 * it is refused when it arrives again (lib/live-groups/okta-events/apply.ts), so pruning its uuid cannot
 * let a replay apply twice. Pending events are never deleted.
 */
export async function pruneOktaEvents(db: Queryable, now: number = Date.now()): Promise<void> {
  const cutoff = new Date(now - OKTA_EVENTS_RETENTION_MS);
  await db.delete(oktaEvents).where(and(lt(oktaEvents.receivedAt, cutoff), isNotNull(oktaEvents.processedAt)));
  await db.delete(oktaMembershipMarks).where(lt(oktaMembershipMarks.published, cutoff));
}
