import { boolean, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Request counts per limit bucket ("sign_in:address:203.0.113.7", "okta:organization:<uuid>") and one-minute
 * window, shared by every app node: a client cannot spread its requests over nodes to get more. Two windows
 * per bucket are read (a sliding estimate); older rows are pruned hourly. `audited`: the first refusal of
 * the window was written to the audit log (by whichever node flipped it), so a flood is one event, not many.
 */
export const rateLimitCounters = pgTable(
  "rate_limit_counters",
  {
    bucket: text("bucket").notNull(),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    hits: integer("hits").notNull().default(0),
    audited: boolean("audited").notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.windowStart] })],
);
