import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { rateLimitCounters } from "../db/schema";

/**
 * Rate limits shared by every app node, counted in the database (table rate_limit_counters): a client
 * cannot get more by spreading requests over nodes. A sliding estimate over one-minute windows (this
 * window's count plus the previous window's, weighted by how much of it still overlaps), so a burst
 * straddling a minute boundary is still limited. Refused requests count too: hammering keeps you out.
 */
export type { LimitName, LimitScope, RateLimits } from "../config/rate-limits";

export const WINDOW_MS = 60_000;

export interface LimitCheck {
  /** 0 when allowed; else the seconds to wait (Retry-After). */
  retryAfter: number;
  /** True for exactly one refused request per bucket and window, across all nodes: the one to audit. */
  firstRefusal: boolean;
}

/** Counts one request against `bucket` and says whether it is within `perMinute`. */
export async function takeLimit(
  db: Db,
  bucket: string,
  perMinute: number,
  now: number = Date.now(),
): Promise<LimitCheck> {
  const windowStart = Math.floor(now / WINDOW_MS) * WINDOW_MS;
  const current = new Date(windowStart);
  const previous = new Date(windowStart - WINDOW_MS);
  const rows = await db.execute(sql`
    with cur as (
      insert into ${rateLimitCounters} (bucket, window_start, hits) values (${bucket}, ${current.toISOString()}, 1)
      on conflict (bucket, window_start) do update set hits = ${rateLimitCounters}.hits + 1
      returning hits
    )
    select cur.hits as hits,
      coalesce((select hits from ${rateLimitCounters} where bucket = ${bucket} and window_start = ${previous.toISOString()}), 0) as previous
    from cur`);
  const row = rowsOf<{ hits: number | string; previous: number | string }>(rows)[0];
  const hits = Number(row?.hits ?? 1);
  const overlap = 1 - (now - windowStart) / WINDOW_MS;
  const estimate = hits + Number(row?.previous ?? 0) * overlap;
  if (estimate <= perMinute) return { retryAfter: 0, firstRefusal: false };
  const flipped = await db.execute(sql`
    update ${rateLimitCounters} set audited = true
    where bucket = ${bucket} and window_start = ${current.toISOString()} and not audited
    returning 1 as flipped`);
  return {
    retryAfter: Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000)),
    firstRefusal: rowsOf(flipped).length > 0,
  };
}

/** Both drivers (node-postgres, PGlite) answer a raw statement with `{ rows }`. */
function rowsOf<T>(result: unknown): T[] {
  return (result as { rows?: T[] }).rows ?? [];
}

/** Windows older than the previous one are never read again. */
export async function pruneRateLimits(db: Db, now: number = Date.now()): Promise<void> {
  await db
    .delete(rateLimitCounters)
    .where(sql`${rateLimitCounters.windowStart} < ${new Date(now - 2 * WINDOW_MS).toISOString()}`);
}
