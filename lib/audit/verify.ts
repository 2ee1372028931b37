import { and, asc, eq, gt, isNull, lte, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { auditChainHeads, auditEvents, auditVerificationGuards } from "../db/schema";
import { GENESIS_HASH, linkHash, type AuditContent } from "./chain";

export interface ChainReport {
  chain: string;
  ok: boolean;
  /** Links checked. */
  checked: number;
  /** Events written before the chain existed (no hash): not covered by it. */
  unchained: number;
  head: { seq: number; hash: string } | null;
  /** The first link that does not hold, and why. */
  broken: { seq: number; id: number | null; reason: string } | null;
  durationMs: number;
}

/**
 * Walks one chain from its first link, recomputing each hash, and reports the first link that does not
 * hold: a changed row (hash differs), a removed row (a gap in seq), a re-linked row (prev_hash differs),
 * or newest rows removed (the table ends before the recorded head).
 */
export async function verifyChain(db: Db, chain: string, batchSize = 5_000): Promise<ChainReport> {
  const started = performance.now();
  const [head] = await db
    .select({ seq: auditChainHeads.seq, hash: auditChainHeads.hash })
    .from(auditChainHeads)
    .where(eq(auditChainHeads.chain, chain));
  const organizationId = chain === "platform" ? null : chain;
  const [legacy] = await db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(auditEvents)
    .where(
      and(
        organizationId === null ? isNull(auditEvents.organizationId) : eq(auditEvents.organizationId, organizationId),
        isNull(auditEvents.hash),
      ),
    );
  // Rows without a hash written after the chain began were not written by porter (every event it writes is
  // a link; a constraint refuses others): someone inserted them behind its back.
  const [late] = await db
    .select({ n: sql<number>`count(*)`.mapWith(Number), first: sql<string | null>`min(${auditEvents.id})` })
    .from(auditEvents)
    .where(
      and(
        organizationId === null ? isNull(auditEvents.organizationId) : eq(auditEvents.organizationId, organizationId),
        isNull(auditEvents.hash),
        sql`${auditEvents.id} > (select min(id) from ${auditEvents} where ${auditEvents.chain} = ${chain})`,
      ),
    );
  let prev = GENESIS_HASH;
  let expected = 1;
  let checked = 0;
  const done = (broken: ChainReport["broken"]): ChainReport => ({
    chain,
    ok: broken === null,
    checked,
    unchained: legacy?.n ?? 0,
    head: head ?? null,
    broken,
    durationMs: Math.round(performance.now() - started),
  });
  if (late && late.n > 0)
    return done({
      seq: 0,
      id: late.first === null ? null : Number(late.first),
      reason: `${String(late.n)} event(s) without a hash were added after the chain began: porter writes none, so they were inserted outside porter`,
    });
  for (;;) {
    const rows = await db
      .select()
      .from(auditEvents)
      // Up to the head as read above: events appended meanwhile (by this or another node) are newer than
      // this verification, not a sign that the head was set back.
      .where(
        and(
          eq(auditEvents.chain, chain),
          gt(auditEvents.seq, expected - 1),
          head ? lte(auditEvents.seq, head.seq) : undefined,
        ),
      )
      .orderBy(asc(auditEvents.seq))
      .limit(batchSize);
    for (const row of rows) {
      const seq = row.seq ?? 0;
      if (seq !== expected)
        return done({
          seq: expected,
          id: null,
          reason: `event ${String(expected)} of the chain is missing (the next one is ${String(seq)}): a row was deleted`,
        });
      if (row.prevHash !== prev)
        return done({
          seq,
          id: row.id,
          reason: "it does not link to the event before it (prev_hash differs): rows were re-linked or rewritten",
        });
      const content: AuditContent = {
        at: row.at,
        organizationId: row.organizationId,
        connection: row.connection,
        type: row.type,
        actor: row.actor,
        actorSub: row.actorSub,
        ip: row.ip,
        userAgent: row.userAgent,
        target: row.target,
        targetLabel: row.targetLabel,
        outcome: row.outcome,
        reason: row.reason,
        refs: row.refs,
        count: row.count,
        details: row.details,
      };
      const hash = linkHash(prev, chain, seq, content);
      if (hash !== row.hash)
        return done({
          seq,
          id: row.id,
          reason: "its content does not match its hash: the row was changed after it was written",
        });
      prev = hash;
      expected++;
      checked++;
    }
    if (rows.length < batchSize) break;
  }
  if (head && head.seq !== checked) {
    return done({
      seq: checked + 1,
      id: null,
      reason: `the chain ends at event ${String(checked)} but its head says ${String(head.seq)}: the newest events were deleted`,
    });
  }
  if (head && checked > 0 && head.hash !== prev)
    return done({ seq: checked, id: null, reason: "the newest event's hash differs from the recorded head" });
  return done(null);
}

/**
 * verifyChain, one at a time per chain across every node: null (nothing read) when a verification of this
 * chain is already running. A whole chain is read each time, so anyone allowed to verify must not be able
 * to run many at once.
 */
export async function verifyChainOnce(db: Db, chain: string): Promise<ChainReport | null> {
  const claimed = await db
    .insert(auditVerificationGuards)
    .values({ chain, startedAt: sql`now()` })
    .onConflictDoUpdate({
      target: auditVerificationGuards.chain,
      set: { startedAt: sql`now()`, finishedAt: null },
      setWhere: sql`${auditVerificationGuards.finishedAt} is not null or ${auditVerificationGuards.startedAt} < now() - interval '10 minutes'`,
    })
    .returning({ chain: auditVerificationGuards.chain });
  if (claimed.length === 0) return null;
  try {
    return await verifyChain(db, chain);
  } finally {
    await db
      .update(auditVerificationGuards)
      .set({ finishedAt: sql`now()` })
      .where(eq(auditVerificationGuards.chain, chain));
  }
}
