import { asc, eq, sql } from "drizzle-orm";
import type { GroupsSourceSetting } from "../config";
import type { Queryable } from "../db/client";
import { customRoles, mappingRules, organizations } from "../db/schema";
import { BUILT_IN_ROLES, type CustomRole, type MappingRule, type Permission, type RuleSetSpec } from "../rbac";

export type { Queryable } from "../db/client";
export async function getRulesVersion(db: Queryable, organizationId: string): Promise<number | null> {
  const [row] = await db
    .select({ version: organizations.rulesVersion })
    .from(organizations)
    .where(eq(organizations.id, organizationId));
  return row?.version ?? null;
}

/** What a connection's configuration says about roles: break-glass groups and the configured groups filter. */
export interface RuleDefaults {
  readonly adminGroups: readonly string[];
  readonly groupsAllow?: string;
  readonly groupsBlock?: string | undefined;
  /**
   * Where the people's groups come from (the connection's `groupsSource`; `claim` when not said). With `scim`,
   * a rule change reads each person's groups from Okta's pushed memberships.
   */
  readonly groupsSource?: GroupsSourceSetting;
}

export interface OrganizationRules {
  version: number;
  defaultRole: string | null;
  /** The groups filter set in the console, or null for the connection's configured one. */
  groupsFilter: { allow: string; block: string | null } | null;
  updatedAt: Date | null;
  updatedBy: string | null;
  rules: (MappingRule & { createdAt: Date; createdBy: string })[];
  customRoles: { name: string; description: string; permissions: Permission[]; createdAt: Date; createdBy: string }[];
}

export async function getOrganizationRules(db: Queryable, organizationId: string): Promise<OrganizationRules> {
  const [org] = await db.select().from(organizations).where(eq(organizations.id, organizationId));
  if (!org) throw new Error(`organization ${organizationId} does not exist`);
  const rules = await db
    .select()
    .from(mappingRules)
    .where(eq(mappingRules.organizationId, organizationId))
    .orderBy(asc(mappingRules.createdAt), asc(mappingRules.id));
  const roles = await db
    .select()
    .from(customRoles)
    .where(eq(customRoles.organizationId, organizationId))
    .orderBy(asc(customRoles.name));
  return {
    version: org.rulesVersion,
    defaultRole: org.defaultRole,
    groupsFilter: org.groupsAllow === null ? null : { allow: org.groupsAllow, block: org.groupsBlock },
    updatedAt: org.rulesUpdatedAt,
    updatedBy: org.rulesUpdatedBy,
    rules: rules
      .map((r) => ({
        id: r.id,
        match: r.match,
        pattern: r.pattern,
        role: r.role,
        createdAt: r.createdAt,
        createdBy: r.createdBy,
      }))
      .sort(
        (a, b) =>
          roleRank(a.role) - roleRank(b.role) || a.role.localeCompare(b.role) || a.pattern.localeCompare(b.pattern),
      ),
    customRoles: roles.map((r) => ({ ...r, permissions: r.permissions as Permission[] })),
  };
}

/** Rules read best grouped by role, strongest first (the order does not change what they grant). */
function roleRank(role: string): number {
  const rank = (BUILT_IN_ROLES as readonly string[]).indexOf(role);
  return rank === -1 ? BUILT_IN_ROLES.length : rank;
}

/** The filter in force: the console's, else the connection's configured one. */
export function effectiveGroupsFilter(
  filter: OrganizationRules["groupsFilter"],
  defaults: RuleDefaults,
): { allow: string; block: string | undefined } {
  return filter
    ? { allow: filter.allow, block: filter.block ?? undefined }
    : { allow: defaults.groupsAllow ?? ".*", block: defaults.groupsBlock };
}

export function toRuleSetSpec(
  rules: {
    version: number;
    rules: readonly MappingRule[];
    customRoles: readonly CustomRole[];
    defaultRole: string | null;
    groupsFilter: OrganizationRules["groupsFilter"];
  },
  defaults: RuleDefaults,
): RuleSetSpec {
  return {
    version: rules.version,
    rules: rules.rules,
    customRoles: rules.customRoles,
    defaultRole: rules.defaultRole,
    adminGroups: defaults.adminGroups,
    groupsFilter: effectiveGroupsFilter(rules.groupsFilter, defaults),
  };
}

/** Records a change to the rules: bumps the version (compiled rule sets everywhere are rebuilt). */
export async function bumpRulesVersion(db: Queryable, organizationId: string, actor: string): Promise<number> {
  const [row] = await db
    .update(organizations)
    .set({ rulesVersion: sql`${organizations.rulesVersion} + 1`, rulesUpdatedAt: new Date(), rulesUpdatedBy: actor })
    .where(eq(organizations.id, organizationId))
    .returning({ version: organizations.rulesVersion });
  if (!row) throw new Error(`organization ${organizationId} does not exist`);
  return row.version;
}

/** Locks the organization row for the rest of the transaction, so two admins' changes cannot interleave. */
export async function lockOrganization(db: Queryable, organizationId: string): Promise<void> {
  await db
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.id, organizationId))
    .for("update");
}

/**
 * The organization's lock on writing people's groups, held until the transaction ends. Taken first in a
 * transaction, before any row is written or locked (a rule change takes it before the organization's row):
 * - exclusive by what rewrites people from what it reads: a SCIM push (each reads people's pushed groups
 *   and whether Okta deactivated them), a batch of Okta events (a delta on the groups last recorded), a
 *   rule change (everyone's roles from the new rules). One at a time, each sees what the previous one
 *   committed. Without it, four SCIM PATCHes of four groups adding one person at once lost a role on
 *   PostgreSQL, and a push during a rule change could write roles from the rules it replaced;
 * - shared by what writes one person from what Okta just said (a sign-in, a re-read of stale groups):
 *   they do not wait for each other; a rule change or a deactivation either comes before (seen: the rules
 *   in force, the sign-in refused) or after (it re-resolves them, it ends the new session too).
 * An advisory lock: no row is written to take it.
 */
export async function lockGroupWrites(
  db: Queryable,
  organizationId: string,
  mode: "exclusive" | "shared",
): Promise<void> {
  const key = `group-writes:${organizationId}`;
  await db.execute(
    mode === "exclusive"
      ? sql`select pg_advisory_xact_lock(hashtext(${key}))`
      : sql`select pg_advisory_xact_lock_shared(hashtext(${key}))`,
  );
}
