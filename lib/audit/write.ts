import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { auditChainHeads, auditEvents } from "../db/schema";
import { chainOf, GENESIS_HASH, linkHash, toContent } from "./chain";
import { currentRequestId } from "../core/request-context";
import type { AuditEvent } from "./events";

/**
 * The event with the id of the request it is written for (details.requestId, and among its refs so the
 * audit page's search finds it by the id in the proxy's or porter's log). Stamped where the event is
 * made, inside the request; an event made outside any request (background work) has none.
 */
export function withRequestId(event: AuditEvent): AuditEvent {
  const requestId = currentRequestId();
  if (!requestId || event.details?.requestId !== undefined) return event;
  return { ...event, refs: [...(event.refs ?? []), requestId], details: { ...event.details, requestId } };
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
  const chain = chainOf(event.organizationId);
  await tx.insert(auditChainHeads).values({ chain, seq: 0, hash: GENESIS_HASH }).onConflictDoNothing();
  const [head] = await tx
    .select({ seq: auditChainHeads.seq, hash: auditChainHeads.hash })
    .from(auditChainHeads)
    .where(eq(auditChainHeads.chain, chain))
    .for("update");
  if (!head) throw new Error(`audit chain ${chain} has no head`);
  const seq = head.seq + 1;
  // A JS Date holds milliseconds, the precision the row is read back with: the hash covers what verify reads.
  const content = toContent(event, new Date());
  const hash = linkHash(head.hash, chain, seq, content);
  const [row] = await tx
    .insert(auditEvents)
    .values({ ...content, chain, seq, prevHash: head.hash, hash })
    .returning({ id: auditEvents.id });
  if (!row) throw new Error("audit insert returned nothing");
  await tx
    .update(auditChainHeads)
    .set({ seq, hash, updatedAt: sql`now()` })
    .where(eq(auditChainHeads.chain, chain));
  return { id: row.id, seq, hash };
}

/** Appends events in their own transaction (for events that have no change to commit with). */
export async function recordAuditEvents(db: Db, events: readonly AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.transaction(async (tx) => {
    for (const event of events) await appendAuditEvent(tx, event);
  });
}
