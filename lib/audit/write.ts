import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { jsonRows, type JsonColumns } from "../db/in-list";
import { rowsOf } from "../db/rows";
import { auditChainHeads, auditEvents } from "../db/schema";
import { chainOf, GENESIS_HASH, linkHash, toContent, type AuditContent } from "./chain";
import { currentRequestId } from "../core/request-context";
import type { AuditEvent } from "./events";
import { groupBy } from "../core/group-by";

/**
 * The event with the id of the request it is written for (details.requestId, and among its refs so the
 * audit page's search finds it by the id in the proxy's or porter's log). Stamped where the event is
 * made, inside the request; an event made outside any request (background work) has none.
 */
export function withRequestId(event: AuditEvent): AuditEvent {
  const requestId = currentRequestId();
  if (!requestId || event.details.requestId !== undefined) return event;
  return { ...event, refs: [...(event.refs ?? []), requestId], details: { ...event.details, requestId } } as AuditEvent;
}

/** A transaction (or the database) of drizzle: anything that runs statements. */
export type AuditTx = Pick<Db, "select" | "insert" | "update" | "execute">;

/**
 * Appends one event as the next link of its organization's chain. Must run inside a transaction: the
 * chain head's row lock is held until it commits, so links are never forked, and the event commits or
 * rolls back together with the change it records.
 */
export function appendAuditEvent(tx: AuditTx, event: AuditEvent): Promise<{ id: number; seq: number; hash: string }> {
  return appendLink(tx, withRequestId(event));
}

/** appendAuditEvent for an event already stamped (or deliberately not): the retrying writer's path. */
export async function appendLink(tx: AuditTx, event: AuditEvent): Promise<{ id: number; seq: number; hash: string }> {
  const [link] = await appendLinks(tx, [event]);
  if (!link) throw new Error("audit insert returned nothing");
  return link;
}

/**
 * Chains whose head row this process has seen. A head is never deleted (a trigger refuses it), so once
 * seen, its insert can be skipped; a head inserted by a transaction that rolled back is simply inserted
 * again when the lock finds no row.
 */
const knownHeads = new Set<string>();

/** Locks the chain's head row until the transaction ends and reads it (one statement once the head exists). */
async function lockHead(tx: AuditTx, chain: string): Promise<{ seq: number; hash: string }> {
  const lock = () =>
    tx
      .select({ seq: auditChainHeads.seq, hash: auditChainHeads.hash })
      .from(auditChainHeads)
      .where(eq(auditChainHeads.chain, chain))
      .for("update");
  if (knownHeads.has(chain)) {
    const [head] = await lock();
    if (head) return head;
  }
  await tx.insert(auditChainHeads).values({ chain, seq: 0, hash: GENESIS_HASH }).onConflictDoNothing();
  const [head] = await lock();
  if (!head) throw new Error(`audit chain ${chain} has no head`);
  knownHeads.add(chain);
  return head;
}

/**
 * Appends several events (already stamped) in order: per chain, its head is locked once, the links are
 * hashed one after the other and inserted with the head's move in one statement. Two statements per chain
 * (three the first time a process meets it), however many events up to 1,000.
 */
export async function appendLinks(
  tx: AuditTx,
  events: readonly AuditEvent[],
): Promise<{ id: number; seq: number; hash: string }[]> {
  const byChain = groupBy(events, (event) => chainOf(event.organizationId));
  const out: { id: number; seq: number; hash: string }[] = [];
  for (const [chain, list] of byChain) {
    let { seq, hash } = await lockHead(tx, chain);
    // A JS Date holds milliseconds, the precision the row is read back with: the hash covers what verify reads.
    const at = new Date();
    const atText = at.toISOString();
    // Each row as sent: the content with its link, and the time as text (one Date for the whole batch). The
    // content is this row's own, so it is completed in place: a copy of each showed in a 10,000-event profile.
    const rows = list.map((event) => {
      const content = toContent(event, at);
      const prevHash = hash;
      seq += 1;
      hash = linkHash(prevHash, chain, seq, content);
      return Object.assign(content as Omit<AuditContent, "at"> & { at: unknown }, {
        at: atText,
        chain,
        seq,
        prevHash,
        hash,
      });
    });
    // One JSON parameter per batch rather than 19 per row (a 10,000-person push writes 10,000 events; what
    // the rows share, such as their time, organization and actor, is sent once: jsonRows). Ids come back in
    // the order of seq, which is the order of the batch. The head moves with the last batch.
    for (let i = 0; i < rows.length; i += 1000) {
      const batch = rows.slice(i, i + 1000);
      const last = batch[batch.length - 1];
      const moveHead =
        i + 1000 >= rows.length && last
          ? sql`, head as (update ${auditChainHeads} set seq = ${last.seq}, hash = ${last.hash}, updated_at = now()
              where ${auditChainHeads.chain} = ${chain})`
          : sql``;
      const inserted = await tx.execute<{ id: string | number; seq: string | number }>(sql`
        with inserted as (
          insert into ${auditEvents} (at, organization_id, connection, type, actor, actor_sub, ip, user_agent, target,
            target_label, outcome, reason, refs, count, details, chain, seq, prev_hash, hash)
          select at, "organizationId", connection, type, actor, "actorSub", ip, "userAgent", target,
            "targetLabel", outcome, reason, refs, count, details, chain, seq, "prevHash", hash
          from ${jsonRows(batch, LINK_COLUMNS, "v")}
          order by seq
          returning id, seq)${moveHead}
        select id, seq from inserted`);
      const bySeq = new Map(
        rowsOf<{ id: string | number; seq: string | number }>(inserted).map((r) => [Number(r.seq), Number(r.id)]),
      );
      for (const link of batch) {
        const id = bySeq.get(link.seq);
        if (id === undefined) throw new Error(`audit insert returned no id for seq ${String(link.seq)}`);
        out.push({ id, seq: link.seq, hash: link.hash });
      }
    }
  }
  return out;
}

/** A link as sent: its content, its chain, seq and links, each with its column's type. */
const LINK_COLUMNS: JsonColumns = {
  at: "timestamptz",
  organizationId: "uuid",
  connection: "text",
  type: "text",
  actor: "text",
  actorSub: "text",
  ip: "text",
  userAgent: "text",
  target: "text",
  targetLabel: "text",
  outcome: "text",
  reason: "text",
  refs: "text[]",
  count: "integer",
  details: "jsonb",
  chain: "text",
  seq: "bigint",
  prevHash: "text",
  hash: "text",
};

/** Appends events of one change in the caller's transaction, each stamped with the request's id. */
export function appendAuditEvents(
  tx: AuditTx,
  events: readonly AuditEvent[],
): Promise<{ id: number; seq: number; hash: string }[]> {
  return appendLinks(tx, events.map(withRequestId));
}

/** Appends events in their own transaction (for events that have no change to commit with). */
export async function recordAuditEvents(db: Db, events: readonly AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.transaction(async (tx) => {
    for (const event of events) await appendAuditEvent(tx, event);
  });
}
