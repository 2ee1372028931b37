import { eq, inArray, and, sql } from "drizzle-orm";
import type { GroupsSourceSetting } from "../../config";
import { appendAuditEvents, auditEvent, type AuditEvent } from "../../audit";
import type { Db, Queryable } from "../../db/client";
import { memberships, oktaMembershipMarks, teams, users } from "../../db/schema";
import { OktaApiError, type OktaClient } from "../../okta";
import { lockGroupWrites, ruleSetFor, type Organization } from "../../organizations";
import { applyPeopleGroups, type AppliedGroups } from "../../people";
import { endAccess } from "../../sessions";
import { completeEvent, type CompletedEvent } from "./complete";
import { handlerFor, isMembershipType, type Intent } from "./handlers";
import { userOf, type LogEventLike } from "./log-event";
import type { OktaEventOutcome } from "./outcome";
import { claimPending, markProcessed, OKTA_EVENTS_RETENTION_MS, readPending } from "./queue";

/** What applying an organization's Okta events needs: the organization, its app, and its Okta API client. */
export interface OktaEventsContext {
  organization: Organization;
  /** `groupsSource` scim: Okta pushes memberships over SCIM, and membership events change nothing. */
  connection: { name: string; clientId: string; groupsSource?: GroupsSourceSetting };
  /** The organization's Okta API client (null without a credential): completes events that left things out. */
  okta: OktaClient | null;
}

export interface AppliedEvent {
  uuid: string;
  outcome: OktaEventOutcome;
}

const BATCH = 100;
const appliersKey = Symbol.for("porter.okta-event-appliers");
type Appliers = Map<string, { again: boolean; done: Promise<AppliedEvent[]> }>;
const appliers: Appliers = ((globalThis as typeof globalThis & { [appliersKey]?: Appliers })[appliersKey] ??=
  new Map() as Appliers);

/**
 * Applies the organization's pending Okta events in the order they happened (`published`), a batch at a
 * time, each batch in one transaction with its audit events: through the handler table, every event's
 * intent (a membership added or removed, the person's list re-read, access ended); then per person one
 * apply of their resulting groups through the one writer, and one revocation per event that ends access.
 * Their next request already sees it. One applier per organization and process: a burst of deliveries
 * joins the running one (which loops until the queue is empty).
 */
export function applyPendingOktaEvents(db: Db, context: OktaEventsContext, limit = 500): Promise<AppliedEvent[]> {
  const key = context.organization.id;
  const running = appliers.get(key);
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
          const batch = await applyBatch(db, context, Math.min(BATCH, limit - all.length));
          all.push(...batch.applied);
          if (batch.seen < BATCH || all.length >= limit) break;
        }
      } while (state.again && all.length < limit);
      return all;
    } finally {
      appliers.delete(key);
    }
  })();
  appliers.set(key, state);
  return state.done;
}

interface Person {
  id: string;
  sub: string;
  email: string | null;
  sourceGroups: string[] | null;
}

async function applyBatch(
  db: Db,
  context: OktaEventsContext,
  size: number,
): Promise<{ seen: number; applied: AppliedEvent[] }> {
  if (size <= 0) return { seen: 0, applied: [] };
  const organizationId = context.organization.id;
  const pending = await readPending(db, organizationId, size);
  if (pending.length === 0) return { seen: 0, applied: [] };
  // Okta calls happen before the transaction: no row lock is held across the network.
  const completed = await Promise.all(pending.map((p) => completeEvent(p.event, context.okta)));
  const reads = await readMembersGroups(context.okta, completed);
  const applied = await db.transaction(async (tx) => {
    // One writer of the organization's people at a time (a SCIM push, a rule change, another node's batch):
    // each reads the groups and rules the previous one committed.
    await lockGroupWrites(tx, organizationId, "exclusive");
    const mine = await claimPending(
      tx,
      organizationId,
      pending.map((p) => p.uuid),
    );
    const items = pending.flatMap((p, i) => {
      const c = completed[i];
      return mine.has(p.uuid) && c ? [{ uuid: p.uuid, completed: c }] : [];
    });
    return applyEvents(tx, context, items, reads);
  });
  return { seen: pending.length, applied };
}

/** How far in the future an event's `published` may be (clock skew); later ones are refused, never applied. */
export const MAX_PUBLISHED_SKEW_MS = 5 * 60 * 1000;

type GroupsRead = { groups: string[] } | { error: string };

/**
 * With an Okta API credential, a membership event is a notification, not a grant: the person's whole group
 * list is read from Okta's Users API (once per person however many of their events the batch holds), and
 * that list is what porter applies. A delivery whose secret leaked can then only make porter look again.
 */
async function readMembersGroups(
  okta: OktaClient | null,
  completed: readonly CompletedEvent[],
): Promise<Map<string, GroupsRead>> {
  const reads = new Map<string, GroupsRead>();
  if (!okta) return reads;
  const people = new Set<string>();
  for (const c of completed) {
    const id = userOf(c.event)?.id;
    if (!c.problem && id && isMembershipType(c.event.eventType) && !c.reread) people.add(id);
  }
  const queue = [...people];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        reads.set(id, { groups: await okta.listUserGroups(id) });
      } catch (err) {
        if (!(err instanceof OktaApiError)) throw err;
        // A credential that may not read people's groups confirms nothing, ever: the organization is one
        // without a usable credential (events apply as Okta sent them; the console says so).
        if (err.code === "okta_api_forbidden" || err.code === "okta_api_unauthorized") continue;
        reads.set(id, { error: err.userMessage });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, queue.length) }, worker));
  return reads;
}

/** One claimed batch, in order: intents, people, ordering marks, one groups apply per person, revocations. */
async function applyEvents(
  tx: Queryable & Pick<Db, "transaction">,
  context: OktaEventsContext,
  items: readonly { uuid: string; completed: CompletedEvent }[],
  reads: ReadonlyMap<string, GroupsRead> = new Map(),
): Promise<AppliedEvent[]> {
  const organizationId = context.organization.id;
  const outcomes = new Map<string, OktaEventOutcome>();
  const acting: { uuid: string; event: LogEventLike; oktaUserId: string; intent: Exclude<Intent, { kind: "none" }> }[] =
    [];
  for (const { uuid, completed } of items) {
    const { event, reread, problem } = completed;
    const handler = handlerFor(event.eventType);
    const oktaUserId = userOf(event)?.id;
    if (problem) outcomes.set(uuid, problem);
    else if (!handler) outcomes.set(uuid, { kind: "ignored", reason: "not_handled" });
    else if (!oktaUserId) outcomes.set(uuid, { kind: "skipped", reason: "no_user" });
    else if (Date.parse(event.published) > Date.now() + MAX_PUBLISHED_SKEW_MS)
      // A date in the future would make every later real event for this membership look older.
      outcomes.set(uuid, { kind: "ignored", reason: "published_in_future" });
    else if (Date.parse(event.published) < Date.now() - OKTA_EVENTS_RETENTION_MS)
      // Older than what porter keeps: its uuid may have been pruned, so it could be a replay.
      outcomes.set(uuid, { kind: "ignored", reason: "older_than_retention" });
    else {
      const intent = handler(event, { connection: context.connection, reread });
      if (intent.kind === "none") outcomes.set(uuid, intent.outcome);
      else acting.push({ uuid, event, oktaUserId, intent });
    }
  }

  const people = await findPeople(tx, organizationId, [...new Set(acting.map((a) => a.oktaUserId))]);
  const marks = await readMarks(
    tx,
    organizationId,
    acting.flatMap((a) => (a.intent.kind === "membership" ? [{ sub: a.oktaUserId, group: a.intent.group }] : [])),
  );
  const newMarks = new Map<string, { sub: string; group: string; published: Date; uuid: string }>();

  // Each person's groups, folded over their events in order.
  const folded = new Map<
    string,
    { person: Person; groups: string[]; fullRead: boolean; changes: { uuid: string; text: string }[] }
  >();
  const fold = async (person: Person) => {
    let entry = folded.get(person.id);
    if (!entry) {
      const groups = [...(person.sourceGroups ?? (await teamsOf(tx, person.id)))];
      entry = { person, groups, fullRead: false, changes: [] };
      folded.set(person.id, entry);
    }
    return entry;
  };
  const ending: typeof acting = [];
  for (const a of acting) {
    const person = people.get(a.oktaUserId);
    if (!person) {
      outcomes.set(a.uuid, { kind: "ignored", reason: "unknown_person" });
      continue;
    }
    if (a.intent.kind === "end_access") {
      ending.push(a);
      continue;
    }
    const read = reads.get(a.oktaUserId);
    if (a.intent.kind === "membership" && read) {
      const { added, group } = a.intent;
      if ("groups" in read) {
        // Okta's own list is the truth: the event is applied only as far as the list confirms it.
        const entry = await fold(person);
        entry.groups = [...read.groups];
        entry.fullRead = true;
        if (read.groups.includes(group) === added) {
          entry.changes.push({ uuid: a.uuid, text: `Okta ${added ? "added" : "removed"} ${group}` });
          outcomes.set(a.uuid, {
            kind: "applied",
            effect: added ? "membership_added" : "membership_removed",
            group,
            confirmed: true,
          });
        } else outcomes.set(a.uuid, { kind: "ignored", reason: "contradicted_by_okta", group });
        continue;
      }
      // Okta could not be asked: a removal only takes access away and is applied; an addition waits for a
      // full read (the next sign-in, a GROUPS_MAX_AGE re-read, System Log polling).
      if (added) {
        outcomes.set(a.uuid, { kind: "skipped", reason: "unconfirmed", detail: read.error });
        continue;
      }
    }
    if (a.intent.kind === "membership") {
      // Okta reorders deliveries: an older add or remove arriving after a newer one for the same membership
      // changes nothing.
      const key = `${a.oktaUserId}\u0000${a.intent.group}`;
      const published = new Date(a.event.published);
      const latest = newMarks.get(key)?.published ?? marks.get(key);
      if (latest && latest > published) {
        outcomes.set(a.uuid, { kind: "ignored", reason: "older_than_applied", group: a.intent.group });
        continue;
      }
      newMarks.set(key, { sub: a.oktaUserId, group: a.intent.group, published, uuid: a.uuid });
    }
    const entry = await fold(person);
    const intent = a.intent;
    if (intent.kind === "membership") {
      entry.groups = intent.added
        ? entry.groups.includes(intent.group)
          ? entry.groups
          : [...entry.groups, intent.group]
        : entry.groups.filter((g) => g !== intent.group);
      entry.changes.push({ uuid: a.uuid, text: `Okta ${intent.added ? "added" : "removed"} ${intent.group}` });
      outcomes.set(a.uuid, {
        kind: "applied",
        effect: intent.added ? "membership_added" : "membership_removed",
        group: intent.group,
        confirmed: false,
      });
    } else {
      entry.groups = [...intent.groups];
      entry.fullRead = true;
      entry.changes.push({
        uuid: a.uuid,
        text: `Okta ${intent.added ? "added a group" : "removed a group"} (the group list was re-read from the Users API)`,
      });
      outcomes.set(a.uuid, { kind: "applied", effect: "groups_reread", added: intent.added });
    }
  }

  const okta = { actor: "Okta", actorSub: null };
  if (folded.size > 0) {
    const ruleSet = await ruleSetFor(tx, context.organization, { current: true });
    // Only a full read of a person's groups confirms them (GROUPS_MAX_AGE starts again); a delta does not.
    const entries = [...folded.values()].sort((x, y) => Number(y.fullRead) - Number(x.fullRead));
    const results: AppliedGroups[] = [];
    for (const fullRead of [true, false]) {
      const group = entries.filter((e) => e.fullRead === fullRead);
      results.push(
        ...(await applyPeopleGroups(
          tx,
          {
            organizationId,
            connection: context.connection.name,
            ruleSet,
            cause: "okta_event",
            confirmed: fullRead,
            by: okta,
          },
          group.map((e) => ({
            person: e.person,
            groups: e.groups,
            why: e.changes.map((c) => `${c.text}, event ${c.uuid}`).join("; ") || undefined,
          })),
        )),
      );
    }
    const byUuid = new Map(acting.map((a) => [a.uuid, a]));
    const events: AuditEvent[] = entries.flatMap((entry, i) =>
      entry.changes.map((change) => {
        const a = byUuid.get(change.uuid);
        return auditEvent(
          "okta.event",
          {
            event: change.uuid,
            eventType: a?.event.eventType ?? "",
            group: a?.intent.kind === "membership" ? a.intent.group : null,
            change: change.text,
            joined: results[i]?.joined ?? [],
            left: results[i]?.left ?? [],
          },
          {
            organizationId,
            connection: context.connection.name,
            ...okta,
            target: `user:${entry.person.id}`,
            targetLabel: entry.person.email ?? entry.person.sub,
            reason: a?.event.eventType ?? null,
          },
        );
      }),
    );
    await appendAuditEvents(tx, events);
  }

  for (const a of ending) {
    const person = people.get(a.oktaUserId);
    if (!person) continue;
    const [ended] = await endAccess(tx, {
      organizationId,
      connection: context.connection.name,
      people: [person],
      cause: "okta_event",
      by: okta,
      details: { signal: { id: a.uuid, type: a.event.eventType }, eventTime: a.event.published },
    });
    outcomes.set(a.uuid, { kind: "applied", effect: "access_ended", sessions: ended?.sessions ?? 0 });
  }

  await writeMarks(tx, organizationId, [...newMarks.values()]);
  const result = items.map((i) => ({
    uuid: i.uuid,
    outcome: outcomes.get(i.uuid) ?? ({ kind: "ignored", reason: "not_handled" } as const),
  }));
  await markProcessed(tx, organizationId, result);
  return result;
}

/** The organization's people with these Okta user ids (the ID token's `sub`), in one statement. */
async function findPeople(
  tx: Queryable,
  organizationId: string,
  subs: readonly string[],
): Promise<Map<string, Person>> {
  if (subs.length === 0) return new Map();
  const rows = await tx
    .select({ id: users.id, sub: users.sub, email: users.email, sourceGroups: users.sourceGroups })
    .from(users)
    .where(and(eq(users.organizationId, organizationId), inArray(users.sub, [...subs])));
  return new Map(rows.map((r) => [r.sub, r]));
}

/** People last seen before porter recorded source groups: their teams stand in. */
async function teamsOf(tx: Queryable, userId: string): Promise<string[]> {
  const rows = await tx
    .select({ name: teams.name })
    .from(memberships)
    .innerJoin(teams, eq(teams.id, memberships.teamId))
    .where(eq(memberships.userId, userId));
  return rows.map((r) => r.name);
}

/** The newest applied event per (person, group) of this batch, locked for the rest of the transaction. */
async function readMarks(
  tx: Queryable,
  organizationId: string,
  pairs: readonly { sub: string; group: string }[],
): Promise<Map<string, Date>> {
  if (pairs.length === 0) return new Map();
  const json = JSON.stringify(pairs);
  const rows = await tx
    .select({
      sub: oktaMembershipMarks.oktaUserId,
      group: oktaMembershipMarks.groupName,
      published: oktaMembershipMarks.published,
    })
    .from(oktaMembershipMarks)
    .where(
      and(
        eq(oktaMembershipMarks.organizationId, organizationId),
        sql`(${oktaMembershipMarks.oktaUserId}, ${oktaMembershipMarks.groupName}) in (select v.sub, v."group" from jsonb_to_recordset(${json}::jsonb) as v(sub text, "group" text))`,
      ),
    )
    .for("update");
  return new Map(rows.map((r) => [`${r.sub}\u0000${r.group}`, r.published]));
}

async function writeMarks(
  tx: Queryable,
  organizationId: string,
  marks: readonly { sub: string; group: string; published: Date; uuid: string }[],
): Promise<void> {
  if (marks.length === 0) return;
  await tx
    .insert(oktaMembershipMarks)
    .values(
      marks.map((m) => ({
        organizationId,
        oktaUserId: m.sub,
        groupName: m.group,
        published: m.published,
        uuid: m.uuid,
      })),
    )
    .onConflictDoUpdate({
      target: [oktaMembershipMarks.organizationId, oktaMembershipMarks.oktaUserId, oktaMembershipMarks.groupName],
      set: { published: sql`excluded.published`, uuid: sql`excluded.uuid` },
      setWhere: sql`${oktaMembershipMarks.published} <= excluded.published`,
    });
}
