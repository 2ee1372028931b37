import { and, asc, desc, eq, inArray, isNull, notInArray, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import {
  customRoles,
  mappingRules,
  memberships,
  organizations,
  signIns,
  teams,
  userRoles,
  users,
  type StoredRoleGrant,
} from "../db/schema";
import {
  BUILT_IN_ROLES,
  type CustomRole,
  type MappingRule,
  type Permission,
  type RoleGrant,
  type RuleSetSpec,
} from "../rbac";

/** Anything that can run queries: the database or a transaction. */
export type Queryable = Pick<Db, "select" | "insert" | "update" | "delete" | "execute">;

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

/** The user's teams (kept groups as of their last sign-in), by name. */
export async function getUserTeams(db: Queryable, userId: string): Promise<string[]> {
  const rows = await db
    .select({ name: teams.name })
    .from(memberships)
    .innerJoin(teams, eq(teams.id, memberships.teamId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(teams.name));
  return rows.map((r) => r.name);
}

/** Creates missing teams and returns name -> id for every given name. */
export async function ensureTeams(
  db: Queryable,
  organizationId: string,
  names: readonly string[],
): Promise<Map<string, string>> {
  if (names.length === 0) return new Map();
  await db
    .insert(teams)
    .values(names.map((name) => ({ organizationId, name })))
    .onConflictDoNothing();
  const rows = await db
    .select({ id: teams.id, name: teams.name })
    .from(teams)
    .where(and(eq(teams.organizationId, organizationId), inArray(teams.name, [...names])));
  return new Map(rows.map((r) => [r.name, r.id]));
}

/** Makes the user's memberships exactly `teamIds`; returns the team names joined and left. */
export async function replaceMemberships(
  db: Queryable,
  organizationId: string,
  userId: string,
  teamIds: ReadonlyMap<string, string>,
): Promise<{ joined: string[]; left: string[] }> {
  const before = await getUserTeams(db, userId);
  const ids = [...teamIds.values()];
  await db
    .delete(memberships)
    .where(
      ids.length > 0
        ? and(eq(memberships.userId, userId), notInArray(memberships.teamId, ids))
        : eq(memberships.userId, userId),
    );
  if (ids.length > 0) {
    await db
      .insert(memberships)
      .values(ids.map((teamId) => ({ teamId, userId, organizationId })))
      .onConflictDoNothing();
  }
  const beforeSet = new Set(before);
  return {
    joined: [...teamIds.keys()].filter((t) => !beforeSet.has(t)).sort(),
    left: before.filter((t) => !teamIds.has(t)).sort(),
  };
}

export async function getStoredRoles(db: Queryable, userId: string): Promise<StoredRoleGrant[]> {
  const rows = await db
    .select({ role: userRoles.role, via: userRoles.via })
    .from(userRoles)
    .where(eq(userRoles.userId, userId))
    .orderBy(asc(userRoles.role));
  return rows;
}

/** Replaces the user's recorded roles; returns the role names gained and lost. */
export async function replaceStoredRoles(
  db: Queryable,
  organizationId: string,
  userId: string,
  roles: readonly RoleGrant[],
  rulesVersion: number,
): Promise<{ gained: string[]; lost: string[] }> {
  const before = new Set((await getStoredRoles(db, userId)).map((r) => r.role));
  await db.delete(userRoles).where(eq(userRoles.userId, userId));
  if (roles.length > 0) {
    await db
      .insert(userRoles)
      .values(roles.map((r) => ({ userId, organizationId, role: r.role, via: [...r.via], rulesVersion })));
  }
  const after = new Set(roles.map((r) => r.role));
  return { gained: [...after].filter((r) => !before.has(r)), lost: [...before].filter((r) => !after.has(r)) };
}

export interface UserWithTeams {
  id: string;
  email: string | null;
  sub: string;
  /** The groups the source last sent, before the filter (null when not recorded). */
  sourceGroups: string[] | null;
  /** The teams on record: read only for people without source groups (for the others, the filter on sourceGroups gives them). */
  teams: string[];
}

/**
 * Every user of the organization with the groups their source last sent (or, for people not seen since
 * that was recorded, their teams), for previewing and applying a rule change.
 */
export async function listUsersWithTeams(db: Queryable, organizationId: string): Promise<UserWithTeams[]> {
  // The groups as JSON text: JSON.parse is native, several times faster than parsing 100,000 PostgreSQL arrays.
  const rows = await db
    .select({
      id: users.id,
      email: users.email,
      sub: users.sub,
      groupsJson: sql<string | null>`to_json(${users.sourceGroups})::text`,
    })
    .from(users)
    .where(eq(users.organizationId, organizationId));
  const people = rows.map((r) => ({
    id: r.id,
    email: r.email,
    sub: r.sub,
    sourceGroups: r.groupsJson === null ? null : (JSON.parse(r.groupsJson) as string[]),
  }));
  const unknown = people.some((p) => p.sourceGroups === null);
  const teamRows = !unknown
    ? []
    : await db
        .select({ userId: memberships.userId, team: teams.name })
        .from(memberships)
        .innerJoin(teams, eq(teams.id, memberships.teamId))
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.organizationId, organizationId), isNull(users.sourceGroups)));
  const byUser = new Map<string, UserWithTeams>(people.map((p) => [p.id, { ...p, teams: [] }]));
  for (const row of teamRows) byUser.get(row.userId)?.teams.push(row.team);
  return [...byUser.values()];
}

/** The latest sign-ins that changed someone's roles or teams. */
export async function listRecentSignInChanges(db: Queryable, organizationId: string, limit = 20) {
  return db
    .select({
      at: signIns.at,
      email: users.email,
      sub: users.sub,
      gained: signIns.gainedRoles,
      lost: signIns.lostRoles,
      joined: signIns.joinedTeams,
      left: signIns.leftTeams,
    })
    .from(signIns)
    .innerJoin(users, eq(users.id, signIns.userId))
    .where(
      and(
        eq(signIns.organizationId, organizationId),
        sql`(cardinality(${signIns.gainedRoles}) + cardinality(${signIns.lostRoles}) + cardinality(${signIns.joinedTeams}) + cardinality(${signIns.leftTeams})) > 0`,
      ),
    )
    .orderBy(desc(signIns.at))
    .limit(limit);
}
