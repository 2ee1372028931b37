import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { appendAuditEvent } from "../audit/write";
import type { Db } from "../db/client";
import { oktaEvents, oktaMembershipMarks, users } from "../db/schema";
import { endUserSessions } from "../sessions/store";
import { getUserTeams } from "../people/queries";
import { type RuleDefaults } from "../organizations/queries";
import type { Connection } from "../config";
import { END_SESSION_EVENT_TYPES, MEMBERSHIP_EVENT_TYPES } from "../okta/event-types";
import { listUserGroups, OktaApiError, oktaApiGet } from "../okta/users-api";
import { applyPersonGroups } from "../people/apply-groups";
import { getCompiledRuleSet } from "../organizations/rule-sets";
import { oktaApiCredential } from "../people/groups-source";

/** What applying events needs from the connection: its rule defaults, and its Okta API credential if any. */
export type EventContext = RuleDefaults & Partial<Pick<Connection, "issuer" | "oktaApiToken" | "oktaServiceApp">>;

/** A System Log LogEvent, as far as porter reads it. */
export interface LogEventLike {
  uuid: string;
  published: string;
  eventType: string;
  target?:
    | {
        id?: string | undefined;
        type?: string | undefined;
        alternateId?: string | null | undefined;
        displayName?: string | null | undefined;
      }[]
    | null
    | undefined;
}

const MEMBERSHIP = new Set<string>(MEMBERSHIP_EVENT_TYPES);
const END_SESSIONS = new Set<string>(END_SESSION_EVENT_TYPES);

/**
 * Stores a delivery's events durably (before Okta is answered), once per uuid: a repeated or retried
 * delivery adds nothing. Returns how many were new.
 */
export async function enqueueOktaEvents(
  db: Db,
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
export function applyPendingOktaEvents(
  db: Db,
  organizationId: string,
  defaults: EventContext,
  limit = 500,
  fetchImpl: typeof fetch = fetch,
): Promise<AppliedEvent[]> {
  // One applier per organization and process: a burst of deliveries joins the running one (which loops
  // until the queue is empty) instead of ten appliers contending for the same rows.
  const running = appliers.get(organizationId);
  if (running) {
    running.again = true;
    return running.done;
  }
  const state = { again: false, done: Promise.resolve<AppliedEvent[]>([]) };
  state.done = (async () => {
    const all: AppliedEvent[] = [];
    try {
      do {
        state.again = false;
        for (;;) {
          const batch = await applyBatch(db, organizationId, defaults, Math.min(BATCH, limit - all.length), fetchImpl);
          all.push(...batch.applied);
          if (batch.seen < BATCH || all.length >= limit) break;
        }
      } while (state.again && all.length < limit);
      return all;
    } finally {
      appliers.delete(organizationId);
    }
  })();
  appliers.set(organizationId, state);
  return state.done;
}

const BATCH = 100;
const appliersKey = Symbol.for("porter.okta-event-appliers");
type Appliers = Map<string, { again: boolean; done: Promise<AppliedEvent[]> }>;
const appliers: Appliers = ((globalThis as typeof globalThis & { [appliersKey]?: Appliers })[appliersKey] ??=
  new Map() as Appliers);

/**
 * Up to BATCH pending events, oldest `published` first, claimed under row locks (SKIP LOCKED: two nodes
 * never apply one event twice) and applied in one transaction with their audit events.
 */
async function applyBatch(
  db: Db,
  organizationId: string,
  defaults: EventContext,
  size: number,
  fetchImpl: typeof fetch,
): Promise<{ seen: number; applied: AppliedEvent[] }> {
  if (size <= 0) return { seen: 0, applied: [] };
  const pending = await db
    .select({ uuid: oktaEvents.uuid, connection: oktaEvents.connection, event: oktaEvents.event })
    .from(oktaEvents)
    .where(and(eq(oktaEvents.organizationId, organizationId), isNull(oktaEvents.processedAt)))
    .orderBy(asc(oktaEvents.published), asc(oktaEvents.receivedAt))
    .limit(size);
  if (pending.length === 0) return { seen: 0, applied: [] };
  // Okta calls happen before the transaction: no row lock is held across the network.
  const reads = await Promise.all(
    pending.map((row) => completeEvent(row.event as unknown as LogEventLike, defaults, fetchImpl)),
  );
  const applied = await db.transaction(async (tx) => {
    const claimed = await tx
      .select({ uuid: oktaEvents.uuid })
      .from(oktaEvents)
      .where(
        and(
          eq(oktaEvents.organizationId, organizationId),
          inArray(
            oktaEvents.uuid,
            pending.map((p) => p.uuid),
          ),
          isNull(oktaEvents.processedAt),
        ),
      )
      .for("update", { skipLocked: true });
    const mine = new Set(claimed.map((c) => c.uuid));
    const out: AppliedEvent[] = [];
    for (const [i, row] of pending.entries()) {
      const read = reads[i];
      if (!mine.has(row.uuid) || !read) continue;
      const result =
        read.problem ?? (await applyOne(tx, organizationId, row.connection, read.event, defaults, read.groups));
      await tx
        .update(oktaEvents)
        .set({ processedAt: new Date(), outcome: result, attempts: sql`${oktaEvents.attempts} + 1` })
        .where(and(eq(oktaEvents.organizationId, organizationId), eq(oktaEvents.uuid, row.uuid)));
      out.push({ uuid: row.uuid, outcome: result });
    }
    return out;
  });
  return { seen: pending.length, applied };
}

const userOf = (event: LogEventLike) => (event.target ?? []).find((t) => t.type === "User");
const groupOf = (event: LogEventLike) => (event.target ?? []).find((t) => t.type === "UserGroup")?.displayName ?? null;

/**
 * Fills in what a delivered event left out, from Okta's API when the connection has a credential: an event
 * with no user (actor/target null) is re-read from the System Log by its uuid; a membership event that
 * names no group has the person's whole group list re-read from the Users API. Without a credential, or
 * when Okta fails, the event is skipped with the reason (it stays recorded, with its outcome).
 */
async function completeEvent(
  event: LogEventLike,
  context: EventContext,
  fetchImpl: typeof fetch,
): Promise<{ event: LogEventLike; groups: string[] | null; problem: string | null }> {
  const membership = MEMBERSHIP.has(event.eventType);
  const namesUser = !!userOf(event)?.id;
  // Complete already: not an event porter acts on, or it names the person (and, for a membership, the group).
  if ((!membership && !END_SESSIONS.has(event.eventType)) || (namesUser && (!membership || groupOf(event))))
    return { event, groups: null, problem: null };
  const credential = context.issuer ? oktaApiCredential({ ...context, issuer: context.issuer }) : null;
  if (!credential)
    return {
      event,
      groups: null,
      problem: `skipped: the event names no ${namesUser ? "group" : "user"}, and re-reading it needs an Okta API token (not configured)`,
    };
  try {
    let full = event;
    if (!userOf(full)?.id) {
      const url = new URL(`${credential.orgUrl}/api/v1/logs`);
      url.searchParams.set("filter", `uuid eq "${event.uuid.replaceAll('"', "")}"`);
      url.searchParams.set("since", new Date(Date.parse(event.published) - 60_000).toISOString());
      const found = (await (await oktaApiGet(credential, url.toString(), fetchImpl)).json()) as unknown;
      const again = Array.isArray(found) ? (found as LogEventLike[]).find((e) => e.uuid === event.uuid) : undefined;
      if (!again || !userOf(again)?.id)
        return {
          event,
          groups: null,
          problem: "skipped: the event names no user, and Okta's System Log has no fuller copy of it",
        };
      full = again;
    }
    const user = userOf(full);
    const groups =
      MEMBERSHIP.has(full.eventType) && !groupOf(full) && user?.id
        ? await listUserGroups(credential, user.id, fetchImpl)
        : null;
    return { event: full, groups, problem: null };
  } catch (err) {
    if (err instanceof OktaApiError)
      return { event, groups: null, problem: `skipped: re-reading it from Okta failed: ${err.userMessage}` };
    throw err;
  }
}

async function applyOne(
  tx: Db,
  organizationId: string,
  connection: string,
  event: LogEventLike,
  defaults: RuleDefaults,
  reread: string[] | null,
): Promise<string> {
  const userTarget = userOf(event);
  if (!MEMBERSHIP.has(event.eventType) && !END_SESSIONS.has(event.eventType))
    return `ignored: porter does not act on ${event.eventType}`;
  if (!userTarget?.id) return "skipped: the event names no user";
  const [user] = await tx
    .select({ id: users.id, email: users.email, sub: users.sub, sourceGroups: users.sourceGroups })
    .from(users)
    .where(and(eq(users.organizationId, organizationId), eq(users.sub, userTarget.id)));
  if (!user) return "ignored: nobody in this organization has this Okta user id";
  const who = {
    organizationId,
    connection,
    actor: "Okta",
    actorSub: null,
    target: `user:${user.id}`,
    targetLabel: user.email ?? user.sub,
  };

  if (END_SESSIONS.has(event.eventType)) {
    const ended = await endUserSessions(tx, organizationId, user.id, event.eventType);
    await appendAuditEvent(tx, {
      type: "session.revoked",
      ...who,
      reason: event.eventType,
      details: { cause: "okta_event", event: event.uuid, eventType: event.eventType, sessions: ended },
    });
    return `applied: ${String(ended)} session(s) ended`;
  }

  const group = groupOf(event);
  if (!group && !reread) return "skipped: the event names no group";
  if (group) {
    // Okta reorders deliveries: an older add or remove arriving after a newer one for the same membership changes nothing.
    const published = new Date(event.published);
    const [mark] = await tx
      .insert(oktaMembershipMarks)
      .values({ organizationId, oktaUserId: userTarget.id, groupName: group, published, uuid: event.uuid })
      .onConflictDoUpdate({
        target: [oktaMembershipMarks.organizationId, oktaMembershipMarks.oktaUserId, oktaMembershipMarks.groupName],
        set: { published, uuid: event.uuid },
        setWhere: sql`${oktaMembershipMarks.published} <= ${published.toISOString()}::timestamptz`,
      })
      .returning({ uuid: oktaMembershipMarks.uuid });
    if (!mark) return `ignored: a later Okta event for ${group} was already applied`;
  }
  const before = user.sourceGroups ?? (await getUserTeams(tx, user.id));
  const adding = event.eventType === "group.user_membership.add";
  const groups =
    reread ??
    (group === null
      ? before
      : adding
        ? before.includes(group)
          ? before
          : [...before, group]
        : before.filter((g) => g !== group));
  const change = group
    ? `Okta ${adding ? "added" : "removed"} ${group}`
    : `Okta ${adding ? "added a group" : "removed a group"} (the group list was re-read from the Users API)`;
  const ruleSet = await getCompiledRuleSet(tx, organizationId, defaults);
  const moved = await applyPersonGroups(tx, {
    organizationId,
    userId: user.id,
    groups,
    ruleSet,
    who,
    cause: "okta_event",
    change: `${change}, event ${event.uuid}`,
    details: { event: event.uuid },
  });
  await appendAuditEvent(tx, {
    type: "okta.event",
    ...who,
    reason: event.eventType,
    details: { event: event.uuid, eventType: event.eventType, group, change, joined: moved.joined, left: moved.left },
  });
  return `applied: ${change}`;
}
