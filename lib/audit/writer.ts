import type { Db } from "../db/client";
import type { AuditEvent } from "./events";
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
  readonly pending: number;
  readonly dropped: number;
  stop(): void;
}

interface Window {
  first: AuditEvent;
  startedAt: number;
  extra: number;
  refs: string[];
}

/** Refs kept per aggregated event: enough to find a person's reference, bounded for floods. */
const MAX_REFS = 50;

export function createAuditWriter(options: AuditWriterOptions): AuditWriter {
  const now = options.now ?? Date.now;
  const windowMs = options.windowMs ?? 60_000;
  const maxPending = options.maxPending ?? 10_000;
  const retryMs = options.retryMs ?? 250;
  const maxRetryMs = options.maxRetryMs ?? 30_000;
  const queue: AuditEvent[] = [];
  const windows = new Map<string, Window>();
  let dropped = 0;
  let delay = retryMs;
  let retryTimer: NodeJS.Timeout | null = null;
  let windowTimer: NodeJS.Timeout | null = null;
  let draining: Promise<void> | null = null;

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

  async function tryWrite(event: AuditEvent): Promise<boolean> {
    try {
      const db = await options.db();
      await db.transaction(async (tx) => {
        await appendLink(tx, event);
      });
      return true;
    } catch (err) {
      options.onError?.(err, event);
      return false;
    }
  }

  function enqueue(event: AuditEvent) {
    if (queue.length >= maxPending) {
      queue.shift();
      dropped++;
    }
    queue.push(event);
    schedule(delay);
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const event = queue[0];
      if (!event) break;
      if (!(await tryWrite(event))) {
        delay = Math.min(delay * 2, maxRetryMs);
        schedule(delay);
        return;
      }
      queue.shift();
      delay = retryMs;
    }
  }

  function closeWindows(all: boolean) {
    const t = now();
    for (const [key, w] of windows) {
      if (!all && t - w.startedAt < windowMs) continue;
      windows.delete(key);
      if (w.extra === 0) continue;
      enqueue({
        ...w.first,
        refs: w.refs,
        count: w.extra,
        details: {
          ...w.first.details,
          aggregated: true,
          windowStart: new Date(w.startedAt).toISOString(),
          windowSeconds: windowMs / 1000,
        },
      } as AuditEvent);
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
    async write(event) {
      // Keep order: while older events wait for the database, a new one waits behind them.
      if (queue.length > 0 || !(await tryWrite(event))) enqueue(event);
    },
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
      if (queue.length > 0 || !(await tryWrite(event))) enqueue(event);
    },
    flush,
    get pending() {
      return queue.length;
    },
    get dropped() {
      return dropped;
    },
    stop() {
      if (retryTimer) clearTimeout(retryTimer);
      if (windowTimer) clearTimeout(windowTimer);
      retryTimer = windowTimer = null;
    },
  };
}
