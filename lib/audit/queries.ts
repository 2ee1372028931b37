import { and, desc, eq, gte, inArray, lt, lte, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import { auditEvents, type AuditEventRow } from "../db/schema";
import { AUDIT_EVENT_TYPES, type AuditEventType } from "./events";

export const MAX_SEARCH_LENGTH = 200;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** What the audit page and the export filter by. Always one organization's events. */
export interface AuditFilter {
  organizationId: string;
  types?: readonly AuditEventType[];
  since?: Date;
  until?: Date;
  /** An Okta sub, or an email (case-insensitive). */
  actor?: string;
  /** A reference id (from a sign-in error page), or the start of an email, target or reason. */
  q?: string;
}

const dateParam = z
  .string()
  .max(40)
  .refine((v) => !Number.isNaN(Date.parse(v)), "is not a date: use ISO 8601, e.g. 2026-12-01 or 2026-12-01T09:00:00Z")
  .transform((v) => new Date(v));

const filterParams = z.strictObject({
  type: z
    .string()
    .max(1000)
    .transform((v) =>
      v
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.enum(AUDIT_EVENT_TYPES, { message: `must be one of ${AUDIT_EVENT_TYPES.join(", ")}` }))
        .max(AUDIT_EVENT_TYPES.length),
    )
    .optional(),
  since: dateParam.optional(),
  until: dateParam.optional(),
  actor: z.string().trim().max(320, "is longer than an email can be").optional(),
  q: z
    .string()
    .trim()
    .max(MAX_SEARCH_LENGTH, `is too long: search for a reference id or up to ${String(MAX_SEARCH_LENGTH)} characters`)
    .optional(),
  before: z.coerce.number().int().positive("must be a positive event id").optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1, "must be at least 1")
    .max(MAX_PAGE_SIZE, `is at most ${String(MAX_PAGE_SIZE)}`)
    .optional(),
  format: z.enum(["csv", "ndjson"], { message: "must be csv or ndjson" }).optional(),
});

export type AuditQuery = Omit<AuditFilter, "organizationId"> & {
  before?: number;
  limit: number;
  format?: "csv" | "ndjson";
};

/**
 * Reads the page's (and the export's) query parameters. Empty values count as absent; anything else
 * that is not understood is refused with the parameter and what it must be.
 */
export function parseAuditQuery(
  params: URLSearchParams | Record<string, string | string[] | undefined>,
): { ok: true; query: AuditQuery } | { ok: false; message: string } {
  const raw: Record<string, string> = {};
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);
  for (const [key, value] of entries) {
    const v = Array.isArray(value) ? value[0] : value;
    if (typeof v === "string" && v.trim() !== "") raw[key] = v;
  }
  const parsed = filterParams.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path[0];
    return {
      ok: false,
      message:
        field === undefined
          ? `Unknown parameter: ${issue?.message ?? "invalid"}.`
          : `${String(field)} ${issue?.message ?? "is invalid"}.`,
    };
  }
  const { type, since, until, before, limit, ...rest } = parsed.data;
  if (since && until && since > until) return { ok: false, message: "since is after until: the time range is empty." };
  return {
    ok: true,
    query: {
      ...rest,
      ...(type && type.length > 0 ? { types: type } : {}),
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      ...(before ? { before } : {}),
      limit: limit ?? DEFAULT_PAGE_SIZE,
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function conditions(filter: AuditFilter): SQL[] {
  const where: SQL[] = [eq(auditEvents.organizationId, filter.organizationId)];
  if (filter.types && filter.types.length > 0) where.push(inArray(auditEvents.type, [...filter.types]));
  if (filter.since) where.push(gte(auditEvents.at, filter.since));
  if (filter.until) where.push(lte(auditEvents.at, filter.until));
  if (filter.actor) {
    const actor = or(
      eq(auditEvents.actorSub, filter.actor),
      sql`lower(${auditEvents.actor}) = ${filter.actor.toLowerCase()}`,
    );
    if (actor) where.push(actor);
  }
  if (filter.q) {
    const q = filter.q;
    // Prefixes, case-insensitive, on indexes of lower(actor) and lower(target_label) (text_pattern_ops).
    const prefix = `${escapeLike(q.toLowerCase())}%`;
    const match = UUID.test(q)
      ? or(
          sql`${auditEvents.refs} @> ARRAY[${q.toLowerCase()}]::text[]`,
          inArray(auditEvents.target, [`user:${q}`, `rule:${q}`, `service:${q}`]),
        )
      : or(
          sql`lower(${auditEvents.actor}) like ${prefix}`,
          sql`lower(${auditEvents.targetLabel}) like ${prefix}`,
          eq(auditEvents.reason, q),
        );
    if (match) where.push(match);
  }
  return where;
}

/** One page of events, newest first, by keyset (id < before): no OFFSET, the same cost on page 1 and page 1000. */
export async function listAuditEvents(
  db: Db,
  filter: AuditFilter,
  page: { before?: number; limit?: number } = {},
): Promise<{ events: AuditEventRow[]; nextBefore: number | null }> {
  const limit = Math.min(Math.max(page.limit ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
  const where = conditions(filter);
  if (page.before) where.push(lt(auditEvents.id, page.before));
  const rows = await db
    .select()
    .from(auditEvents)
    .where(and(...where))
    .orderBy(desc(auditEvents.id))
    .limit(limit + 1);
  const events = rows.slice(0, limit);
  return { events, nextBefore: rows.length > limit ? (events.at(-1)?.id ?? null) : null };
}

/**
 * Every event matching the filter, newest first, in batches by keyset. The upper id is fixed when the
 * export starts: the table is append-only (no row ever changes or goes), so the batches together are
 * one consistent snapshot without holding a transaction (or, on the embedded database, its only connection).
 */
export async function* iterateAuditEvents(
  db: Db,
  filter: AuditFilter,
  batchSize = 2_000,
): AsyncGenerator<AuditEventRow[]> {
  const [top] = await db
    .select({ id: sql<number>`coalesce(max(${auditEvents.id}), 0)`.mapWith(Number) })
    .from(auditEvents)
    .where(eq(auditEvents.organizationId, filter.organizationId));
  let before = (top?.id ?? 0) + 1;
  const base = conditions(filter);
  for (;;) {
    const rows = await db
      .select()
      .from(auditEvents)
      .where(and(...base, lt(auditEvents.id, before)))
      .orderBy(desc(auditEvents.id))
      .limit(batchSize);
    if (rows.length === 0) return;
    yield rows;
    const last = rows.at(-1);
    if (!last || rows.length < batchSize) return;
    before = last.id;
  }
}

export interface ActivityBucket {
  at: Date;
  succeeded: number;
  failed: number;
  /** Failures by reason code. */
  reasons: Record<string, number>;
}

/** The chart's time units, finest first, and how many milliseconds each bucket spans (about, for week+). */
const UNITS = [
  ["hour", 3_600_000],
  ["day", 86_400_000],
  ["week", 7 * 86_400_000],
  ["month", 31 * 86_400_000],
  ["year", 366 * 86_400_000],
] as const;
export type ActivityUnit = (typeof UNITS)[number][0];
/** The most buckets a chart draws, whatever range is asked for. */
export const MAX_BUCKETS = 400;

/** The start of the bucket of `unit` that holds `at` (UTC). */
function bucketStart(at: number, unit: ActivityUnit): number {
  const d = new Date(at);
  switch (unit) {
    case "hour":
      return Math.floor(at / 3_600_000) * 3_600_000;
    case "day":
      return Math.floor(at / 86_400_000) * 86_400_000;
    case "week": {
      // ISO weeks start on Monday, as PostgreSQL's date_trunc('week') does.
      const day = Math.floor(at / 86_400_000) * 86_400_000;
      return day - ((new Date(day).getUTCDay() + 6) % 7) * 86_400_000;
    }
    case "month":
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case "year":
      return Date.UTC(d.getUTCFullYear(), 0, 1);
  }
}

function nextBucket(start: number, unit: ActivityUnit): number {
  const d = new Date(start);
  if (unit === "month") return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  if (unit === "year") return Date.UTC(d.getUTCFullYear() + 1, 0, 1);
  return start + (unit === "week" ? 7 * 86_400_000 : unit === "day" ? 86_400_000 : 3_600_000);
}

/**
 * Sign-ins and failures over time, failures split by reason. The chart spans the asked range clamped to
 * the sign-ins actually recorded in it (a range from year 1 to 9999 costs what the data costs), in the
 * finest unit (hour, day, week, month, year) that draws at most MAX_BUCKETS buckets.
 */
export async function signInActivity(
  db: Db,
  organizationId: string,
  since: Date,
  until: Date,
): Promise<{ unit: ActivityUnit; buckets: ActivityBucket[] }> {
  const inRange = and(
    eq(auditEvents.organizationId, organizationId),
    inArray(auditEvents.type, ["sign_in.succeeded", "sign_in.failed"]),
    gte(auditEvents.at, since),
    lte(auditEvents.at, until),
  );
  const [span] = await db
    .select({
      first: sql<string | null>`min(${auditEvents.at})`,
      last: sql<string | null>`max(${auditEvents.at})`,
    })
    .from(auditEvents)
    .where(inRange);
  // Nothing recorded: the asked range, but never more than its last two days.
  const from = span?.first
    ? new Date(span.first).getTime()
    : Math.max(since.getTime(), until.getTime() - 2 * 86_400_000);
  const to = span?.last ? new Date(span.last).getTime() : until.getTime();
  const unit: ActivityUnit = UNITS.find(([, ms]) => (to - from) / ms < MAX_BUCKETS)?.[0] ?? "year";
  // The unit is one of five literals (never input): inline it, so SELECT and GROUP BY are the same expression.
  const bucket = sql<Date>`date_trunc(${sql.raw(`'${unit}'`)}, ${auditEvents.at}, 'UTC')`;
  const rows = await db
    .select({
      bucket: bucket.mapWith((v: string | Date) => new Date(v)),
      type: auditEvents.type,
      reason: auditEvents.reason,
      n: sql<number>`sum(${auditEvents.count})`.mapWith(Number),
    })
    .from(auditEvents)
    .where(inRange)
    .groupBy(bucket, auditEvents.type, auditEvents.reason);
  const buckets = new Map<number, ActivityBucket>();
  for (let t = bucketStart(from, unit); t <= to && buckets.size < MAX_BUCKETS + 2; t = nextBucket(t, unit))
    buckets.set(t, { at: new Date(t), succeeded: 0, failed: 0, reasons: {} });
  for (const r of rows) {
    const b = buckets.get(r.bucket.getTime());
    if (!b) continue;
    if (r.type === "sign_in.succeeded") b.succeeded += r.n;
    else {
      b.failed += r.n;
      const reason = r.reason ?? "unknown";
      b.reasons[reason] = (b.reasons[reason] ?? 0) + r.n;
    }
  }
  return { unit, buckets: [...buckets.values()] };
}
