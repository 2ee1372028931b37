import { and, asc, desc, eq, isNull, sql } from "drizzle-orm";
import type { Queryable } from "../db/client";
import { memberships, signIns, teams, userRoles, users, type StoredRoleGrant } from "../db/schema";

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
  /** The groups the source last sent, before the filter (null when not recorded). */
  sourceGroups: string[] | null;
  /** The teams on record: read only for people without source groups (for the others, the filter on sourceGroups gives them). */
  teams: string[];
}

/** People per statement when everyone is read. */
const EVERYONE_CHUNK = 50_000;
const FIRST_ID = "00000000-0000-0000-0000-000000000000";
const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

/**
 * Every user of the organization (id only) with the groups their source last sent (or, for people not seen
 * since that was recorded, their teams), for previewing and applying a rule change. Read as one JSON text
 * per 50,000 people: PGlite turns each result row into an object in JavaScript, and 100,000 rows took
 * 0.8-1.2 s where one JSON text of them takes 0.2 s. Labels are read apart, for those who need them
 * (labelsOf).
 */
export async function listUsersWithTeams(db: Queryable, organizationId: string): Promise<UserWithTeams[]> {
  const people: UserWithTeams[] = [];
  for (let after = FIRST_ID; ;) {
    const rows = await db.execute<{ list: string | null }>(sql`
      select json_agg(json_build_array(u.id, u.source_groups) order by u.id)::text as list
      from (select id, source_groups from ${users}
        where organization_id = ${organizationId} and id > ${after}::uuid order by id limit ${EVERYONE_CHUNK}) u`);
    const list = JSON.parse(rowsOf<{ list: string | null }>(rows)[0]?.list ?? "[]") as [string, string[] | null][];
    for (const [id, sourceGroups] of list) people.push({ id, sourceGroups, teams: [] });
    const last = list.at(-1);
    if (!last || list.length < EVERYONE_CHUNK) break;
    after = last[0];
  }
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

/** How people are named (email, else sub), for the given ids of the organization or, without ids, everyone. */
export async function labelsOf(
  db: Queryable,
  organizationId: string,
  ids?: readonly string[],
): Promise<Map<string, { sub: string; email: string | null }>> {
  const labels = new Map<string, { sub: string; email: string | null }>();
  const chunks = ids ? Array.from({ length: Math.ceil(ids.length / EVERYONE_CHUNK) }, (_, i) => i) : [0];
  for (const i of chunks) {
    const only = ids ? JSON.stringify(ids.slice(i * EVERYONE_CHUNK, (i + 1) * EVERYONE_CHUNK)) : null;
    const rows = await db.execute<{ list: string | null }>(sql`
      select json_agg(json_build_array(id, sub, email))::text as list from ${users}
      where organization_id = ${organizationId}
      ${only ? sql`and id in (select value::uuid from jsonb_array_elements_text(${only}::jsonb))` : sql``}`);
    const list = JSON.parse(rowsOf<{ list: string | null }>(rows)[0]?.list ?? "[]") as [
      string,
      string,
      string | null,
    ][];
    for (const [id, sub, email] of list) labels.set(id, { sub, email });
  }
  return labels;
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

/** What the bearer API needs to know of a token's person: when their access last ended, their groups. */
export async function bearerPerson(
  db: Queryable,
  organizationId: string,
  sub: string,
): Promise<{ id: string; accessEndedAt: Date | null; sourceGroups: string[] | null } | null> {
  const [row] = await db
    .select({ id: users.id, accessEndedAt: users.accessEndedAt, sourceGroups: users.sourceGroups })
    .from(users)
    .where(and(eq(users.organizationId, organizationId), eq(users.sub, sub)));
  return row ?? null;
}
