import { and, asc, desc, eq, isNull, sql } from "drizzle-orm";
import type { Queryable } from "../db/client";
import { rowsOf } from "../db/rows";
import type { GroupsSourceSetting } from "../config";
import {
  memberships,
  scimGroupMembers,
  scimGroups,
  signIns,
  teams,
  userRoles,
  users,
  type StoredRoleGrant,
} from "../db/schema";

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

export async function getStoredRoles(db: Queryable, userId: string): Promise<StoredRoleGrant[]> {
  const rows = await db
    .select({ role: userRoles.role, via: userRoles.via })
    .from(userRoles)
    .where(eq(userRoles.userId, userId))
    .orderBy(asc(userRoles.role));
  return rows;
}

export interface UserWithTeams {
  id: string;
  email: string | null;
  sub: string;
  /**
   * The groups the source last sent, before the filter (null when not recorded). With `groupsSource: scim`,
   * the groups Okta pushed with the person in, by name (none while Okta has them deactivated).
   */
  sourceGroups: string[] | null;
  /** The teams on record: read only for people without source groups (for the others, the filter on sourceGroups gives them). */
  teams: string[];
}

/**
 * Every user of the organization with the groups their source last sent (or, for people not seen since
 * that was recorded, their teams), for previewing and applying a rule change. Read as one JSON text:
 * PGlite turns each result row into an object in JavaScript, and 100,000 rows took 0.8-1.2 s where one
 * JSON text of them (about 10 MB) takes 0.2-0.4 s; JSON.parse is native. With `groupsSource: scim` the
 * groups are the pushed memberships, aggregated once for the organization rather than a lookup per person.
 */
export async function listUsersWithTeams(
  db: Queryable,
  organizationId: string,
  groupsSource: GroupsSourceSetting,
): Promise<UserWithTeams[]> {
  const rows = await db.execute<{ list: string | null }>(
    groupsSource === "scim"
      ? sql`
    select json_agg(json_build_array(u.id, u.sub, u.email,
      case when u.deprovisioned_at is null then coalesce(p.groups, '[]') else '[]' end))::text as list
    from ${users} u left join (
      select m.user_id, json_agg(g.display_name order by g.display_name) as groups
      from ${scimGroupMembers} m join ${scimGroups} g on g.id = m.group_id
      where g.organization_id = ${organizationId} group by m.user_id) p on p.user_id = u.id
    where u.organization_id = ${organizationId}`
      : sql`
    select json_agg(json_build_array(id, sub, email, source_groups))::text as list
    from ${users} where organization_id = ${organizationId}`,
  );
  const list = JSON.parse(rowsOf<{ list: string | null }>(rows)[0]?.list ?? "[]") as [
    string,
    string,
    string | null,
    string[] | null,
  ][];
  const people = list.map(([id, sub, email, sourceGroups]) => ({
    id,
    sub,
    email,
    sourceGroups,
    teams: [] as string[],
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
  const byUser = new Map<string, UserWithTeams>(people.map((p) => [p.id, p]));
  for (const row of teamRows) byUser.get(row.userId)?.teams.push(row.team);
  return people;
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

/** The names of the groups Okta pushed over SCIM with the person in, by name, whatever the person's status. */
export async function listPushedGroups(db: Queryable, userId: string): Promise<string[]> {
  const rows = await db
    .select({ name: scimGroups.displayName })
    .from(scimGroupMembers)
    .innerJoin(scimGroups, eq(scimGroups.id, scimGroupMembers.groupId))
    .where(eq(scimGroupMembers.userId, userId))
    .orderBy(asc(scimGroups.displayName));
  return rows.map((g) => g.name);
}

/**
 * A column for a select from `users`: the names of the groups Okta pushed over SCIM with the person in, as
 * one JSON text, whatever the person's status (the caller decides what a deactivated person's groups count
 * for). users.id by hand: inside a select, drizzle writes a column without its table.
 */
export const pushedGroupNames = sql<string>`(select coalesce(json_agg(g.display_name), '[]')::text
  from ${scimGroupMembers} m join ${scimGroups} g on g.id = m.group_id where m.user_id = users.id)`;

/**
 * What the bearer API needs to know of a token's person: when their access last ended, their groups (with
 * `groupsSource: scim`, the ones Okta pushed with them in; none while Okta has them deactivated).
 */
export async function bearerPerson(
  db: Queryable,
  organizationId: string,
  sub: string,
  groupsSource: GroupsSourceSetting,
): Promise<{ id: string; accessEndedAt: Date | null; sourceGroups: string[] | null } | null> {
  const scim = groupsSource === "scim";
  const [row] = await db
    .select({
      id: users.id,
      accessEndedAt: users.accessEndedAt,
      deprovisionedAt: users.deprovisionedAt,
      sourceGroups: users.sourceGroups,
      pushed: scim ? pushedGroupNames : sql<null>`null`,
    })
    .from(users)
    .where(and(eq(users.organizationId, organizationId), eq(users.sub, sub)));
  if (!row) return null;
  const { id, accessEndedAt } = row;
  if (!scim) return { id, accessEndedAt, sourceGroups: row.sourceGroups };
  const pushed = row.deprovisionedAt ? [] : (JSON.parse(row.pushed ?? "[]") as string[]);
  return { id, accessEndedAt, sourceGroups: pushed };
}
