import { desc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { oktaCheckGuards, oktaCheckRuns, type OktaCheckRun } from "../db/schema";
import type { CheckResult } from "../okta/checks/types";

export async function saveCheckRun(
  db: Db,
  run: { organizationId: string; connection: string; startedAt: Date; actor: string; results: CheckResult[] },
): Promise<void> {
  await db.insert(oktaCheckRuns).values(run);
}

/** The organization's latest runs, newest first (never another organization's). */
export async function listCheckRuns(db: Db, organizationId: string, limit = 10): Promise<OktaCheckRun[]> {
  return db
    .select()
    .from(oktaCheckRuns)
    .where(eq(oktaCheckRuns.organizationId, organizationId))
    .orderBy(desc(oktaCheckRuns.startedAt))
    .limit(limit);
}

/** What changed between two runs: the checks whose status moved. */
export function diffRuns(
  newer: Pick<OktaCheckRun, "results">,
  older: Pick<OktaCheckRun, "results"> | undefined,
): { id: string; title: string; from: string; to: string }[] {
  if (!older) return [];
  return newer.results.flatMap((r) => {
    const before = older.results.find((o) => o.id === r.id);
    return before && before.status !== r.status
      ? [{ id: r.id, title: r.title, from: before.status, to: r.status }]
      : [];
  });
}

/**
 * Who ran a check, as the viewer may see it: a platform operator looking at another organization sees
 * that one of its admins ran it, not who (results only, no personal data), except their own runs.
 */
export function shownActor(actor: string, viewer: { actor: string; connection: string }, target: string): string {
  return target !== viewer.connection && actor !== viewer.actor ? `an admin of ${target}` : actor;
}

/**
 * Claims the right to run the check on a connection, across every node (table okta_check_guards): true
 * when no run is going on and none started in the last 5 s; a run left unfinished for 60 s (its node died)
 * no longer blocks. One statement, so two nodes racing cannot both win.
 */
export async function claimCheckRun(db: Db, connection: string): Promise<boolean> {
  const rows = await db
    .insert(oktaCheckGuards)
    .values({ connection, startedAt: sql`now()` })
    .onConflictDoUpdate({
      target: oktaCheckGuards.connection,
      set: { startedAt: sql`now()`, finishedAt: null },
      setWhere: sql`${oktaCheckGuards.startedAt} < now() - interval '5 seconds' and (${oktaCheckGuards.finishedAt} is not null or ${oktaCheckGuards.startedAt} < now() - interval '60 seconds')`,
    })
    .returning({ connection: oktaCheckGuards.connection });
  return rows.length > 0;
}

export async function finishCheckRun(db: Db, connection: string): Promise<void> {
  await db
    .update(oktaCheckGuards)
    .set({ finishedAt: sql`now()` })
    .where(eq(oktaCheckGuards.connection, connection));
}
