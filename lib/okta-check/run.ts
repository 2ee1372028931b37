import "server-only";
import { provisioningOverview } from "../provisioning";
import type { ProvisioningSnapshot } from "../okta/checks/types";
import { desc, eq } from "drizzle-orm";
import { organizationIdFor, organizationNamed, ruleSetFor } from "../organizations";
import { getConfig, connectionUrls, getConnection } from "../config";
import { getDb } from "../db";
import { signIns } from "../db/schema";
import { actedBy, audit } from "../audit";
import { logger } from "../log";
import { OktaClient } from "../okta";
import { startChecks, type CheckResult, type SignInSample } from "../okta/checks";
import { claimCheckRun, finishCheckRun, saveCheckRun } from "./history";
import { resolveIdentity, type Principal } from "../rbac";

/** Who is looking at a configuration check: their session's organization, connection, person and groups. */
export interface CheckViewer {
  organizationId: string;
  connection: string;
  user: { id: string };
  groups: readonly string[];
}

export interface RunningCheck {
  startedAt: Date;
  each: Promise<CheckResult>[];
  all: Promise<CheckResult[]>;
}

const globalKey = Symbol.for("porter.runningChecks");
type WithRuns = typeof globalThis & { [globalKey]?: Map<string, Promise<RunningCheck | null>> };
const running = ((globalThis as WithRuns)[globalKey] ??= new Map<string, Promise<RunningCheck | null>>());

/** The platform organization is the default (environment) connection's; only its members can be operators. */
export function isPlatformOperator(view: CheckViewer): boolean {
  const config = getConfig();
  return (
    view.connection === config.connections[0]?.name && view.groups.some((g) => config.platformAdminGroups.includes(g))
  );
}

/** The connections this person may check: their own, or every one for a platform operator. */
export function checkableConnections(view: CheckViewer): string[] {
  return isPlatformOperator(view) ? getConfig().connections.map((c) => c.name) : [view.connection];
}

/** The run in progress for a connection, if any (the page that started it streams its results). */
export function runningCheck(connectionName: string): Promise<RunningCheck | null> | null {
  return running.get(connectionName) ?? null;
}

/**
 * A sign-in to look at: the person's own last one, or (for another organization) that organization's
 * latest, whose group names a platform operator does not see (results only, no personal data).
 */
/** What porter has seen of Okta's SCIM provisioning for the organization, for the provisioning check. */
async function provisioningSnapshot(organizationId: string): Promise<ProvisioningSnapshot> {
  const o = await provisioningOverview(await getDb(), organizationId);
  return {
    validTokens: o.tokens.filter((t) => !t.revokedAt).length,
    lastRequestAt: o.lastRequestAt,
    provisioned: o.people.provisioned,
    pushedGroups: o.pushedGroups,
  };
}

async function lastSignIn(
  view: CheckViewer,
  organizationId: string,
  organizationConnection: string,
): Promise<SignInSample | null> {
  const db = await getDb();
  const own = organizationId === view.organizationId;
  const [row] = await db
    .select()
    .from(signIns)
    .where(own ? eq(signIns.userId, view.user.id) : eq(signIns.organizationId, organizationId))
    .orderBy(desc(signIns.at))
    .limit(1);
  if (!row) return null;
  const ruleSet = await ruleSetFor(db, await organizationNamed(db, organizationConnection));
  return {
    rawGroupCount: row.rawGroupCount,
    keptGroups: row.keptGroups,
    groupsWithoutRule: row.keptGroups.filter(
      (g) => resolveIdentity(ruleSet, { kind: "groups", groups: [g] }).roles.length === 0,
    ),
    namesHidden: !own,
  };
}

/**
 * Runs the configuration check for a connection the person may check (their own; any for a platform
 * operator). One run per connection at a time, across nodes: on this node the run is registered before
 * anything is awaited, so a second request meanwhile shares it; across nodes the database guard
 * (claimCheckRun) lets one start, and the others answer null (the page then shows the stored history).
 * The finished run is stored in that organization's history.
 */
export function runOktaCheck(
  principal: Principal,
  view: CheckViewer,
  connectionName: string,
): Promise<RunningCheck | null> {
  if (!checkableConnections(view).includes(connectionName))
    return Promise.reject(new Error("not allowed to check this connection"));
  const existing = running.get(connectionName);
  if (existing) return existing;
  const starting = (async () =>
    (await claimCheckRun(await getDb(), connectionName)) ? startRun(principal, view, connectionName) : null)();
  running.set(connectionName, starting);
  const forget = () => {
    if (running.get(connectionName) === starting) running.delete(connectionName);
  };
  starting
    .then(async (run) => {
      if (run) await run.all.finally(forget);
      else forget();
    }, forget)
    .catch(forget);
  return starting;
}

async function startRun(principal: Principal, view: CheckViewer, connectionName: string): Promise<RunningCheck> {
  const connection = getConnection(connectionName);
  if (!connection) throw new Error(`no connection ${connectionName}`);
  const config = getConfig();
  const organizationId = await organizationIdFor(await getDb(), connection.name);
  const startedAt = new Date();
  const { each, all } = startChecks({
    connection,
    urls: connectionUrls(config, connection),
    otherUrls: connectionUrls(config, connection, connection.region === "eu" ? "us" : "eu"),
    signIn: await lastSignIn(view, organizationId, connection.name),
    provisioning: await provisioningSnapshot(organizationId),
    okta: OktaClient.of(connection),
  });
  // Stored before the run counts as finished, so the history never misses a run that was shown.
  const stored = all.then(async (results) => {
    await saveCheckRun(await getDb(), {
      organizationId,
      connection: connection.name,
      startedAt,
      actor: principal.actor,
      results,
    });
    // Recorded in the checked organization's log, also when a platform operator of another organization ran it.
    await audit({
      type: "okta_check.ran",
      ...actedBy(principal),
      organizationId,
      connection: connection.name,
      outcome: results.some((r) => r.status === "fail") ? "failure" : "success",
      details: {
        byOrganization: principal.connection,
        counts: Object.fromEntries(
          ["pass", "warn", "fail", "skipped"].map((st) => [st, results.filter((r) => r.status === st).length]),
        ),
        failed: results.filter((r) => r.status === "fail").map((r) => r.id),
      },
    });
    return results;
  });
  stored
    .catch((err: unknown) => {
      logger.error({ err, connection: connection.name }, "configuration check could not be stored");
    })
    .finally(() => {
      void getDb()
        .then((db) => finishCheckRun(db, connection.name))
        .catch(() => undefined); // the 60 s expiry frees the guard anyway
    });
  return { startedAt, each, all: stored };
}

/** A platform operator looking at another organization's check: recorded in that organization's log. */
export async function recordOperatorAccess(principal: Principal, connectionName: string, what: string): Promise<void> {
  if (connectionName === principal.connection) return;
  const organizationId = await organizationIdFor(await getDb(), connectionName);
  await audit({
    type: "operator.access",
    ...actedBy(principal),
    organizationId,
    connection: connectionName,
    details: { what, fromOrganization: principal.connection },
  });
}
