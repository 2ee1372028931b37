import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { rowsOf } from "../db/rows";
import { rateLimitCounters } from "../db/schema";

/**
 * Rate limits shared by every app node, counted in the database (table rate_limit_counters): a client
 * cannot get more by spreading requests over nodes. A sliding estimate over one-minute windows (this
 * window's count plus the previous window's, weighted by how much of it still overlaps), so a burst
 * straddling a minute boundary is still limited. Refused requests count too: hammering keeps you out. A
 * node reserves requests in leases (see Lease), so a busy bucket costs a statement per lease, not per request.
 */
export type { LimitName, LimitScope, RateLimits } from "../config/rate-limits";

export const WINDOW_MS = 60_000;

export interface LimitCheck {
  /** 0 when allowed; else the seconds to wait (Retry-After). */
  retryAfter: number;
  /** True for exactly one refused request per bucket and window, across all nodes: the one to audit. */
  firstRefusal: boolean;
}

/**
 * A node's reservation of requests in one bucket and window: counted in the database already, spent here
 * without a statement. Reserved requests never exceed the shared limit (each was within it when taken),
 * so the limit holds across nodes exactly as before; a reservation left unspent counts as used, so a client
 * near its limit may be refused at most a lease early. Leases are a tenth of the headroom left (at most
 * MAX_LEASE), one request when the headroom is small: near the limit every request is counted in the database.
 */
interface Lease {
  windowStart: number;
  /** Requests reserved and not yet spent. */
  left: number;
  /** The window's count and the previous window's, as last read: the next lease's size. */
  hits: number;
  previous: number;
}

const MAX_LEASE = 100;
const leasesByDb = new WeakMap<Db, { leases: Map<string, Lease>; window: number }>();

/** The node's leases on this database; those of past windows are dropped once, when a new window begins. */
function leasesOf(db: Db, windowStart: number): Map<string, Lease> {
  let held = leasesByDb.get(db);
  if (!held) leasesByDb.set(db, (held = { leases: new Map<string, Lease>(), window: windowStart }));
  if (held.window < windowStart) {
    held.window = windowStart;
    for (const [key, lease] of held.leases) if (lease.windowStart < windowStart) held.leases.delete(key);
  }
  return held.leases;
}

/** Counts one request against `bucket` and says whether it is within `perMinute`. */
export async function takeLimit(
  db: Db,
  bucket: string,
  perMinute: number,
  now: number = Date.now(),
): Promise<LimitCheck> {
  const windowStart = Math.floor(now / WINDOW_MS) * WINDOW_MS;
  const overlap = 1 - (now - windowStart) / WINDOW_MS;
  const leases = leasesOf(db, windowStart);
  const known = leases.get(bucket);
  const lease = known?.windowStart === windowStart ? known : undefined;
  if (lease && lease.left > 0) {
    lease.left -= 1;
    return { retryAfter: 0, firstRefusal: false };
  }
  const headroom = lease ? perMinute - lease.hits - lease.previous * overlap : 0;
  const size = Math.max(1, Math.min(MAX_LEASE, Math.floor(headroom / 10)));
  const current = new Date(windowStart);
  const previous = new Date(windowStart - WINDOW_MS);
  const rows = await db.execute(sql`
    with cur as (
      insert into ${rateLimitCounters} (bucket, window_start, hits) values (${bucket}, ${current.toISOString()}, ${size})
      on conflict (bucket, window_start) do update set hits = ${rateLimitCounters}.hits + ${size}
      returning hits
    )
    select cur.hits as hits,
      coalesce((select hits from ${rateLimitCounters} where bucket = ${bucket} and window_start = ${previous.toISOString()}), 0) as previous
    from cur`);
  const row = rowsOf<{ hits: number | string; previous: number | string }>(rows)[0];
  const hits = Number(row?.hits ?? size);
  const before = Number(row?.previous ?? 0);
  // How many of the reserved requests are within the limit (the others count, as refused requests do).
  const within = Math.min(size, Math.floor(perMinute - (hits - size) - before * overlap));
  leases.set(bucket, { windowStart, left: Math.max(0, within - 1), hits, previous: before });
  if (within >= 1) return { retryAfter: 0, firstRefusal: false };
  const flipped = await db.execute(sql`
    update ${rateLimitCounters} set audited = true
    where bucket = ${bucket} and window_start = ${current.toISOString()} and not audited
    returning 1 as flipped`);
  return {
    retryAfter: Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000)),
    firstRefusal: rowsOf(flipped).length > 0,
  };
}

/** Windows older than the previous one are never read again. */
export async function pruneRateLimits(db: Db, now: number = Date.now()): Promise<void> {
  await db
    .delete(rateLimitCounters)
    .where(sql`${rateLimitCounters.windowStart} < ${new Date(now - 2 * WINDOW_MS).toISOString()}`);
}
