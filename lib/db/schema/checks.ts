import { bigserial, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { organizationId } from "./columns";

/** One stored result of a check (lib/okta/checks' CheckResult). */
export interface StoredCheckResult {
  id: string;
  title: string;
  status: "pass" | "warn" | "fail" | "skipped";
  message: string;
  evidence: string[];
  fix: string | null;
  value?: string;
  durationMs: number;
}

/** Every configuration-check run, kept so the admin page can show what changed between runs. */
export const oktaCheckRuns = pgTable(
  "okta_check_runs",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    organizationId: organizationId(),
    connection: text("connection").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }).notNull().defaultNow(),
    actor: text("actor").notNull(),
    results: jsonb("results").$type<StoredCheckResult[]>().notNull(),
  },
  (t) => [index("okta_check_runs_org_idx").on(t.organizationId, t.startedAt)],
);

export type OktaCheckRun = typeof oktaCheckRuns.$inferSelect;

/**
 * One row per connection: the configuration check's single-flight guard across nodes. A run may start when
 * none is running (or the last started over 60 s ago: a node died mid-run) and none started in the last
 * 5 s, so two clicks at once (on any nodes) make one run.
 */
export const oktaCheckGuards = pgTable("okta_check_guards", {
  connection: text("connection").primaryKey(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
  finishedAt: timestamp("finished_at", { withTimezone: true }),
});
