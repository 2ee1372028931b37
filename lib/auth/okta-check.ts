import "server-only";
import { desc, eq } from "drizzle-orm";
import { getCompiledRuleSet } from "../access";
import { getConfig, connectionUrls, getConnection } from "../config";
import { getDb } from "../db";
import { signIns } from "../db/schema";
import { logger } from "../log";
import { saveCheckRun, startChecks, type CheckResult, type SignInSample } from "../okta/checks";
import type { Principal } from "../rbac";
import type { PorterSessionView } from "./config";

interface RunningCheck {
  startedAt: Date;
  each: Promise<CheckResult>[];
  all: Promise<CheckResult[]>;
}

const globalKey = Symbol.for("porter.runningChecks");
type WithRuns = typeof globalThis & { [globalKey]?: Map<string, RunningCheck> };
const running = ((globalThis as WithRuns)[globalKey] ??= new Map<string, RunningCheck>());

async function lastSignIn(view: PorterSessionView): Promise<SignInSample | null> {
  const db = await getDb();
  const [row] = await db.select().from(signIns).where(eq(signIns.userId, view.user.id)).orderBy(desc(signIns.at)).limit(1);
  if (!row) return null;
  const ruleSet = await getCompiledRuleSet(db, view.organizationId, getConfig().adminGroups);
  return { rawGroupCount: row.rawGroupCount, keptGroups: row.keptGroups, groupsWithoutRule: row.keptGroups.filter((g) => ruleSet.resolve([g]).roles.length === 0) };
}

/**
 * Runs the configuration check for the person's own organization. One run per connection at a time:
 * a second request while one runs shares it. The finished run is stored for the history.
 */
export async function runOktaCheck(principal: Principal, view: PorterSessionView): Promise<RunningCheck> {
  const existing = running.get(principal.connection);
  if (existing) return existing;
  const connection = getConnection(principal.connection);
  if (!connection) throw new Error(`no connection ${principal.connection}`);
  const config = getConfig();
  const startedAt = new Date();
  const { each, all } = startChecks({
    connection,
    urls: connectionUrls(config, connection),
    otherUrls: connectionUrls(config, connection, connection.region === "eu" ? "us" : "eu"),
    signIn: await lastSignIn(view),
    apiToken: connection.oktaApiToken,
  });
  const run = { startedAt, each, all };
  running.set(principal.connection, run);
  void all
    .then(async (results) => {
      await saveCheckRun(await getDb(), { organizationId: principal.organizationId, connection: connection.name, startedAt, actor: principal.actor, results });
    })
    .catch((err: unknown) => {
      logger.error({ err, connection: connection.name }, "configuration check could not be stored");
    })
    .finally(() => {
      running.delete(principal.connection);
    });
  return run;
}
