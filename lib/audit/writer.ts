import { randomUUID } from "node:crypto";
import { lt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { auditSpoolReceipts } from "../db/schema";
import { isDatabaseUnavailable } from "../db/unavailable";
import { auditEvent, type AuditEvent } from "./events";
import type { AuditSpool, SpooledEvent } from "./spool";
import { appendLink } from "./write";

export interface AuditWriterOptions {
  db: () => Promise<Db>;
  /** Called when a write fails (it is retried); never throws. */
  onError?: (err: unknown, event: AuditEvent) => void;
  /** First retry delay; doubles up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
  /** Events waiting for the database beyond this are dropped (and reported): memory stays bounded. */
  maxPending?: number;
  /**
   * Where events wait for the database so they survive the process (lib/audit/spool.ts). Without one
   * they wait in memory only. Read lazily: the first write, flush or recover opens it and replays what
   * an earlier process left.
   */
  spool?: () => AuditSpool | null;
  /** Attempts at an event while the database answers (it is reachable but refuses this event) before it is dead-lettered. */
  maxAttempts?: number;
  /** Called when an event is set aside for good (after maxAttempts) or dropped because the spool is full; never throws. */
  onDeadLetter?: (err: unknown, event: AuditEvent, attempts: number) => void;
  onDropped?: (event: AuditEvent, why: "queue_full" | "spool_full") => void;
  /** Called when the spool cannot be opened or read: events then wait in memory only. */
  onSpoolError?: (err: unknown) => void;
  /** Aggregation window for floods of the same refusal. */
  windowMs?: number;
  now?: () => number;
}

export interface AuditWriter {
  /** Writes an event that has no change to commit with; on failure it is kept and retried, never lost while the process lives. */
  write(event: AuditEvent): Promise<void>;
  /**
   * For unauthenticated refusals that anyone can cause in bulk: the first of a kind per window (reason,
   * address, minute) is written at once; the rest of that window become one more event with their count
   * and reference ids, written when the window closes.
   */
  writeAggregated(event: AuditEvent): Promise<void>;
  /** Writes what is pending now (closed windows, retries). Resolves when the database took them or refused again. */
  flush(options?: { closeWindows?: boolean }): Promise<void>;
  /** Replays what an earlier process left in the spool (at start); resolves when the database took it or refused. */
  recover(): Promise<void>;
  readonly pending: number;
  readonly dropped: number;
  readonly deadLettered: number;
  stop(): void;
}

interface Window {
  first: AuditEvent;
  startedAt: number;
  extra: number;
  refs: string[];
}

interface Entry {
  event: AuditEvent;
  /** Set once the event is in the spool: the receipt that makes its replay idempotent. */
  key?: string;
  /** Failed attempts while the database was reachable. */
  attempts: number;
}

type Attempt = { ok: true } | { ok: false; err: unknown };

/** Refs kept per aggregated event: enough to find a person's reference, bounded for floods. */
const MAX_REFS = 50;

export function createAuditWriter(options: AuditWriterOptions): AuditWriter {
  const now = options.now ?? Date.now;
  const windowMs = options.windowMs ?? 60_000;
  const maxPending = options.maxPending ?? 10_000;
  const retryMs = options.retryMs ?? 250;
  const maxRetryMs = options.maxRetryMs ?? 30_000;
  const maxAttempts = options.maxAttempts ?? 5;
  const queue: Entry[] = [];
  const windows = new Map<string, Window>();
  let dropped = 0;
  let deadLettered = 0;
  let delay = retryMs;
  let retryTimer: NodeJS.Timeout | null = null;
  let windowTimer: NodeJS.Timeout | null = null;
  let draining: Promise<void> | null = null;
  let spool: AuditSpool | null | undefined;
  let loaded: Promise<void> | null = null;

  const schedule = (ms: number) => {
    if (retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void flush();
    }, ms);
    retryTimer.unref();
  };
  const scheduleWindows = () => {
    if (windowTimer) return;
    windowTimer = setTimeout(() => {
      windowTimer = null;
      void flush();
    }, windowMs);
    windowTimer.unref();
  };

  /** Opens the spool once and puts what an earlier process left at the head of the queue, in its order. */
  function load(): Promise<void> {
    loaded ??= (async () => {
      let left: SpooledEvent[] = [];
      try {
        spool = options.spool?.() ?? null;
        left = spool ? await spool.load() : [];
      } catch (err) {
        // An unreadable spool must not stop auditing: events wait in memory, as they would without one.
        spool = null;
        options.onSpoolError?.(err);
      }
      queue.unshift(...left.map((entry) => ({ event: entry.event, key: entry.key, attempts: 0 })));
      if (left.length > 0) schedule(0);
    })();
    return loaded;
  }

  async function tryWrite(entry: Entry): Promise<Attempt> {
    try {
      const db = await options.db();
      await db.transaction(async (tx) => {
        if (entry.key) {
          // A spooled event: written at most once, even when the process died after the commit.
          const receipt = await tx
            .insert(auditSpoolReceipts)
            .values({ key: entry.key })
            .onConflictDoNothing()
            .returning({ key: auditSpoolReceipts.key });
          if (receipt.length === 0) return;
        }
        await appendLink(tx, entry.event);
      });
      return { ok: true };
    } catch (err) {
      options.onError?.(err, entry.event);
      return { ok: false, err };
    }
  }

  /** Keeps an event until the database takes it: in the spool (on disk before this resolves), else in memory. */
  async function enqueue(entry: Entry): Promise<void> {
    if (queue.length >= maxPending) {
      dropped++;
      options.onDropped?.(entry.event, "queue_full");
      return;
    }
    queue.push(entry);
    schedule(delay);
    if (!spool) return;
    entry.key = randomUUID();
    try {
      if (!(await spool.append({ key: entry.key, event: entry.event }))) {
        // The spool is full: the event still waits in memory, but would not survive the process.
        dropped++;
        options.onDropped?.(entry.event, "spool_full");
      }
    } catch (err) {
      options.onError?.(err, entry.event);
    }
  }

  /**
   * An event the database refused maxAttempts times while it was reachable (a bug or bad data, not an
   * outage) is set aside so it does not hold back every event behind it: kept in the dead-letter file,
   * logged, and noted in its organization's chain (a note that cannot be stored either is only logged).
   */
  async function setAside(entry: Entry, err: unknown): Promise<void> {
    deadLettered++;
    options.onDeadLetter?.(err, entry.event, entry.attempts);
    const reason = err instanceof Error ? err.message.slice(0, 300) : String(err).slice(0, 300);
    if (spool) await spool.deadLetter({ key: entry.key ?? randomUUID(), event: entry.event }, reason).catch(() => {});
    if (entry.event.type === "audit.undeliverable") return;
    const note = auditEvent(
      "audit.undeliverable",
      {
        eventType: entry.event.type,
        attempts: entry.attempts,
        error: reason,
        deadLetterFile: spool ? spool.file.replace(/\.jsonl$/, ".dead.jsonl") : null,
      },
      { organizationId: entry.event.organizationId ?? null, actor: "system", reason: "dead_lettered" },
    );
    queue.push({ event: note, attempts: 0 });
  }

  async function drain(): Promise<void> {
    await load();
    while (queue.length > 0) {
      const entry = queue[0];
      if (!entry) break;
      const attempt = await tryWrite(entry);
      if (!attempt.ok) {
        if (!isDatabaseUnavailable(attempt.err) && ++entry.attempts >= maxAttempts) {
          queue.shift();
          await setAside(entry, attempt.err);
          continue;
        }
        delay = Math.min(delay * 2, maxRetryMs);
        schedule(delay);
        return;
      }
      queue.shift();
      delay = retryMs;
    }
    if (spool && spool.bytes > 0) {
      await spool.clear();
      // Receipts only matter while their entries may still be replayed.
      await options
        .db()
        .then((db) =>
          db.delete(auditSpoolReceipts).where(lt(auditSpoolReceipts.writtenAt, sql`now() - interval '1 day'`)),
        )
        .catch(() => {});
    }
  }

  /** The first attempt, made by the caller: on failure the event joins the queue (and the spool). */
  async function writeNow(event: AuditEvent): Promise<void> {
    await load();
    // Keep order: while older events wait for the database, a new one waits behind them.
    if (queue.length > 0) return enqueue({ event, attempts: 0 });
    const attempt = await tryWrite({ event, attempts: 0 });
    if (attempt.ok) return;
    await enqueue({ event, attempts: isDatabaseUnavailable(attempt.err) ? 0 : 1 });
  }

  function closeWindows(all: boolean) {
    const t = now();
    for (const [key, w] of windows) {
      if (!all && t - w.startedAt < windowMs) continue;
      windows.delete(key);
      if (w.extra === 0) continue;
      void enqueue({
        event: {
          ...w.first,
          refs: w.refs,
          count: w.extra,
          details: {
            ...w.first.details,
            aggregated: true,
            windowStart: new Date(w.startedAt).toISOString(),
            windowSeconds: windowMs / 1000,
          },
        } as AuditEvent,
        attempts: 0,
      });
    }
    if (windows.size > 0) scheduleWindows();
  }

  async function flush(flushOptions: { closeWindows?: boolean } = {}): Promise<void> {
    closeWindows(flushOptions.closeWindows ?? false);
    if (draining) return draining;
    draining = drain().finally(() => {
      draining = null;
    });
    return draining;
  }

  return {
    write: writeNow,
    async writeAggregated(event) {
      const key = [event.type, event.organizationId ?? "", event.reason ?? "", event.ip ?? ""].join("\u0000");
      const t = now();
      const open = windows.get(key);
      if (open && t - open.startedAt < windowMs) {
        open.extra++;
        if (open.refs.length < MAX_REFS) open.refs.push(...(event.refs ?? []).slice(0, MAX_REFS - open.refs.length));
        return;
      }
      if (open) closeWindows(false);
      if (windows.size >= 10_000) closeWindows(true);
      windows.set(key, { first: event, startedAt: t, extra: 0, refs: [] });
      scheduleWindows();
      await writeNow(event);
    },
    flush,
    async recover() {
      await load();
      await flush();
    },
    get pending() {
      return queue.length;
    },
    get dropped() {
      return dropped;
    },
    get deadLettered() {
      return deadLettered;
    },
    stop() {
      if (retryTimer) clearTimeout(retryTimer);
      if (windowTimer) clearTimeout(windowTimer);
      retryTimer = windowTimer = null;
    },
  };
}
