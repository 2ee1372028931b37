import { and, eq, sql, type SQL } from "drizzle-orm";
import { inList, jsonRows } from "../db/in-list";
import {
  appendAuditEvents,
  auditEvent,
  type AuditEvent,
  type AuditEventBase,
  type AuditTx,
  type RoleChangeCause,
} from "../audit";
import type { Queryable } from "../db/client";
import { memberships, sessions, teams, userRoles, users } from "../db/schema";
import { resolveIdentity, type CompiledRuleSet, type GroupMapping, type RoleGrant } from "../rbac";

/** One person's groups, as a source now has them. */
export interface PersonGroups {
  person: { id: string; sub: string; email: string | null };
  /**
   * The whole list of groups the source has for the person, before porter's filter. `teams` when the source
   * never recorded the groups (people last seen before porter kept them): their teams stand in, and are kept.
   */
  groups: readonly string[] | { teams: readonly string[] };
  /** Why, in the role history's words: "Okta removed PAM Linux Sysadmins, event <uuid>". */
  why?: string | undefined;
}

/** What applying people's groups means: the same for all of them. */
export interface GroupsUpdate {
  organizationId: string;
  connection: string;
  /** The organization's rule set to resolve with (ruleSetFor), or a new one a rule change is about to apply. */
  ruleSet: CompiledRuleSet;
  cause: RoleChangeCause;
  /**
   * The source read each person's whole list just now (a sign-in, a Users API read, a SCIM push): their
   * live sessions' groups count as confirmed by Okta (GROUPS_MAX_AGE starts again). A delta applied from an
   * event does not confirm anything.
   */
  confirmed: boolean;
  /** Who is acting, for the audit events: the person at sign-in, Okta, an admin. */
  by: Pick<AuditEventBase, "actor" | "actorSub" | "ip" | "userAgent">;
  /** Record the roles after the change with provenance on the event (sign-in). */
  withRoles?: boolean;
  /**
   * The groups are the ones Okta pushed over SCIM, the organization's authority (`groupsSource: scim`). They
   * are kept in the pushed memberships and read from there (listUsersWithTeams, listSeenGroups), so they are
   * not copied onto the person: a 10,000-member push saved 150-200 ms on PGlite by not writing the copy.
   */
  pushedGroups?: boolean;
  /** Collect the roles.changed events here instead of appending them (the caller appends them with its own). */
  events?: AuditEvent[];
}

export interface AppliedGroups {
  userId: string;
  mapping: GroupMapping;
  gained: string[];
  lost: string[];
  joined: string[];
  left: string[];
}

const sameGrants = (a: readonly RoleGrant[], b: readonly RoleGrant[]) =>
  a.length === b.length && JSON.stringify(sortGrants(a)) === JSON.stringify(sortGrants(b));
const sortGrants = (grants: readonly RoleGrant[]) =>
  [...grants].sort((x, y) => x.role.localeCompare(y.role)).map((g) => ({ role: g.role, via: g.via }));
const CHUNK = 1000;

/**
 * The one writer of people's groups, teams and roles, whatever told porter (a sign-in, an Okta event, a
 * re-read of stale groups, a rule change, a SCIM push): a new source is a new caller of this function.
 * In the caller's transaction, for one person or thousands, in set-based statements:
 * - the groups the source sent are kept on the person (previews and filter changes re-derive from them),
 *   unless they are Okta's pushed memberships, which are kept where they are (pushedGroups);
 * - the kept groups (porter's filter) become the person's teams: joined and left;
 * - their roles are resolved through the one identity pipeline and stored with provenance;
 * - their live sessions are marked as confirmed by Okta when the source read the whole list;
 * - one roles.changed event per person whose roles moved, in one shape whatever the cause.
 * Nothing is written for a person whose groups, teams and roles are unchanged.
 */
export async function applyPeopleGroups(
  tx: Queryable & AuditTx,
  update: GroupsUpdate,
  people: readonly PersonGroups[],
  /** Their state as the caller read it with its own columns in the same statement (stateColumns, peopleState). */
  state?: PeopleState,
): Promise<AppliedGroups[]> {
  if (people.length === 0) return [];
  const { organizationId, ruleSet } = update;
  const ids = people.map((p) => p.person.id);
  const { teamsBefore, rolesBefore, groupsBefore } = state ?? (await readState(tx, ids));

  const resolved = people.map((p) => {
    const known = Array.isArray(p.groups);
    const groups = known ? (p.groups as readonly string[]) : (p.groups as { teams: readonly string[] }).teams;
    const mapping = resolveIdentity(ruleSet, { kind: "groups", groups });
    // People whose source groups were never recorded keep their teams until they next sign in.
    const teamsAfter = known ? mapping.keptGroups : (teamsBefore.get(p.person.id) ?? []);
    return { p, known, groups, mapping, teamsAfter };
  });

  // Teams someone already belongs to have their ids from readState: only the others are read (or created).
  const teamIds = new Map(teamsBefore.ids);
  const unknownTeams = [...new Set(resolved.flatMap((r) => r.teamsAfter))].filter((name) => !teamIds.has(name));
  for (const [name, id] of await ensureTeams(tx, organizationId, unknownTeams)) teamIds.set(name, id);
  const out: AppliedGroups[] = [];
  const leave: { userId: string; teamId: string }[] = [];
  const join: { userId: string; teamId: string; organizationId: string }[] = [];
  const roleRows: RoleRows[] = [];
  const rolesGone: { userId: string; role: string }[] = [];
  const sourceGroups: { id: string; groups: string[] }[] = [];
  const events: AuditEvent[] = [];

  for (const r of resolved) {
    const userId = r.p.person.id;
    const before = teamsBefore.get(userId) ?? [];
    const beforeSet = new Set(before);
    const afterSet = new Set(r.teamsAfter);
    const joined = r.teamsAfter.filter((t) => !beforeSet.has(t)).sort();
    const left = before.filter((t) => !afterSet.has(t)).sort();
    for (const name of joined) {
      const teamId = teamIds.get(name);
      if (teamId) join.push({ userId, teamId, organizationId });
    }
    for (const name of left) {
      const teamId = teamIds.get(name);
      if (teamId) leave.push({ userId, teamId });
    }
    const oldGrants = rolesBefore.get(userId) ?? [];
    const newGrants = r.mapping.roles;
    const oldNames = new Set(oldGrants.map((g) => g.role));
    const newNames = new Set(newGrants.map((g) => g.role));
    const gained = [...newNames].filter((n) => !oldNames.has(n));
    const lost = [...oldNames].filter((n) => !newNames.has(n));
    if (!sameGrants(oldGrants, newGrants)) {
      roleRows.push({
        userId,
        organizationId,
        rulesVersion: ruleSet.version,
        grants: newGrants.map((g) => ({ role: g.role, via: [...g.via] })),
      });
      for (const role of lost) rolesGone.push({ userId, role });
    }
    if (
      !update.pushedGroups &&
      r.known &&
      JSON.stringify(groupsBefore.get(userId) ?? null) !== JSON.stringify(r.groups)
    ) {
      sourceGroups.push({ id: userId, groups: [...r.groups] });
    }
    if (gained.length > 0 || lost.length > 0) {
      events.push(
        auditEvent(
          "roles.changed",
          {
            cause: update.cause,
            gained,
            lost,
            ...(r.p.why ? { why: r.p.why } : {}),
            version: ruleSet.version,
            ...(update.withRoles ? { roles: newGrants.map((g) => ({ role: g.role, via: [...g.via] })) } : {}),
          },
          {
            organizationId,
            connection: update.connection,
            ...update.by,
            target: `user:${userId}`,
            targetLabel: r.p.person.email ?? r.p.person.sub,
            reason: update.cause,
          },
        ),
      );
    }
    out.push({ userId, mapping: r.mapping, gained, lost, joined, left });
  }

  await writeChanges(tx, {
    sourceGroups,
    leave,
    join,
    roles: roleRows,
    rolesGone,
    confirm: update.confirmed ? ids : [],
  });
  if (update.events) update.events.push(...events);
  else if (events.length > 0) await appendAuditEvents(tx, events);
  return out;
}

/** applyPeopleGroups for one person. */
export async function applyPersonGroups(
  tx: Queryable & AuditTx,
  update: GroupsUpdate,
  person: PersonGroups,
): Promise<AppliedGroups> {
  const [applied] = await applyPeopleGroups(tx, update, [person]);
  if (!applied) throw new Error("applyPeopleGroups returned nothing for one person");
  return applied;
}

/** Each person's team names, and every one of those teams' ids by name (a name is unique in an organization). */
type TeamsBefore = Map<string, string[]> & { ids: Map<string, string> };

/** What applyPeopleGroups compares against: the people's teams (with their ids), roles and recorded source groups. */
export interface PeopleState {
  teamsBefore: TeamsBefore;
  rolesBefore: Map<string, RoleGrant[]>;
  groupsBefore: Map<string, string[] | null>;
}

/**
 * The columns of a person's state, for a select from `users` (readState's, or a caller's that reads its own
 * columns of the same people in the same statement). users.id is written by hand in the subqueries: inside
 * a select, drizzle writes a column without its table.
 */
export const stateColumns = {
  id: users.id,
  groups: sql<string | null>`to_json(${users.sourceGroups})::text`,
  teams: sql<string>`(select coalesce(json_agg(json_build_array(t.id, t.name)), '[]')::text
    from ${memberships} m join ${teams} t on t.id = m.team_id where m.user_id = users.id)`,
  roles: sql<string>`(select coalesce(json_agg(json_build_array(r.role, r.via)), '[]')::text
    from ${userRoles} r where r.user_id = users.id)`,
};

/** The state of the people of rows read with stateColumns (one row per person). */
export function peopleState(
  rows: Iterable<{ id: string; groups: string | null; teams: string; roles: string }>,
  into: PeopleState = {
    teamsBefore: Object.assign(new Map<string, string[]>(), { ids: new Map<string, string>() }),
    rolesBefore: new Map(),
    groupsBefore: new Map(),
  },
): PeopleState {
  const { teamsBefore, rolesBefore, groupsBefore } = into;
  for (const row of rows) {
    groupsBefore.set(row.id, row.groups === null ? null : (JSON.parse(row.groups) as string[]));
    const teamList = JSON.parse(row.teams) as [string, string][];
    if (teamList.length > 0) teamsBefore.set(row.id, teamList.map(([, name]) => name).sort());
    for (const [teamId, name] of teamList) teamsBefore.ids.set(name, teamId);
    const roleList = JSON.parse(row.roles) as [string, RoleGrant["via"]][];
    if (roleList.length > 0)
      rolesBefore.set(
        row.id,
        roleList.map(([role, via]) => ({ role, via })),
      );
  }
  return into;
}

/** The people's state: one statement per chunk. */
async function readState(tx: Queryable, ids: readonly string[]): Promise<PeopleState> {
  let state: PeopleState | undefined;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await tx
      .select(stateColumns)
      .from(users)
      .where(inList(users.id, ids.slice(i, i + CHUNK)));
    state = peopleState(rows, state);
  }
  return state ?? peopleState([]);
}

/** Creates missing teams and returns name -> id for every given name (two statements). */
export async function ensureTeams(
  tx: Queryable,
  organizationId: string,
  names: readonly string[],
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (let i = 0; i < names.length; i += CHUNK) {
    const chunk = names.slice(i, i + CHUNK);
    const read = async () => {
      const rows = await tx
        .select({ id: teams.id, name: teams.name })
        .from(teams)
        .where(and(eq(teams.organizationId, organizationId), inList(teams.name, chunk, "text")));
      for (const row of rows) ids.set(row.name, row.id);
    };
    // Teams usually exist: read first, create only the missing ones.
    await read();
    const missing = chunk.filter((name) => !ids.has(name));
    if (missing.length === 0) continue;
    await tx
      .insert(teams)
      .values(missing.map((name) => ({ organizationId, name })))
      .onConflictDoNothing();
    await read();
  }
  return ids;
}

/** A person's roles as they are to be stored: inserted, or their provenance and rules version updated. */
interface RoleRows {
  userId: string;
  organizationId: string;
  rulesVersion: number;
  grants: { role: string; via: unknown[] }[];
}

interface Changes {
  /** The groups each source sent, kept on the person. */
  sourceGroups: readonly { id: string; groups: string[] }[];
  leave: readonly { userId: string; teamId: string }[];
  join: readonly { userId: string; teamId: string; organizationId: string }[];
  roles: readonly RoleRows[];
  /** The roles the people lose: the ones their state (read earlier in this transaction) has and their new roles do not. */
  rolesGone: readonly { userId: string; role: string }[];
  /** People whose live sessions' groups the source just confirmed. */
  confirm: readonly string[];
}

/**
 * Writes everything applyPeopleGroups decided in one statement per 1,000 rows of each part (data-modifying
 * WITH clauses): one round trip for a sign-in or a one-person push. The parts touch different rows (roles
 * kept are updated, roles gone deleted, teams joined inserted, teams left deleted), so none depends on
 * another's effect within the statement.
 */
async function writeChanges(tx: Queryable, changes: Changes): Promise<void> {
  const { sourceGroups, leave, join, roles, rolesGone, confirm } = changes;
  const longest = Math.max(
    sourceGroups.length,
    leave.length,
    join.length,
    roles.length,
    rolesGone.length,
    confirm.length,
  );
  for (let i = 0; i < longest; i += CHUNK) {
    const slice = <T>(rows: readonly T[]) => (rows.length > i ? rows.slice(i, i + CHUNK) : null);
    const parts: SQL[] = [];
    const groupsRows = slice(sourceGroups);
    if (groupsRows)
      parts.push(sql`source_groups as (
        update ${users} set source_groups = array(select jsonb_array_elements_text(v.groups))
        from ${jsonRows(groupsRows, { id: "uuid", groups: "jsonb" }, "v")} where ${users.id} = v.id)`);
    const leaveRows = slice(leave);
    if (leaveRows)
      parts.push(sql`teams_left as (
        delete from ${memberships} m using ${jsonRows(leaveRows, { userId: "uuid", teamId: "uuid" }, "v")}
        where m.user_id = v."userId" and m.team_id = v."teamId")`);
    const joinRows = slice(join);
    if (joinRows)
      parts.push(sql`teams_joined as (
        insert into ${memberships} (user_id, team_id, organization_id)
        select "userId", "teamId", "organizationId"
        from ${jsonRows(joinRows, { userId: "uuid", teamId: "uuid", organizationId: "uuid" }, "v")}
        on conflict do nothing)`);
    const roleRows = slice(roles);
    if (roleRows)
      parts.push(sql`roles_set as (
        insert into ${userRoles} (user_id, organization_id, role, via, rules_version)
        select v."userId", v."organizationId", g->>'role', g->'via', v."rulesVersion"
        from ${jsonRows(roleRows, { userId: "uuid", organizationId: "uuid", rulesVersion: "integer", grants: "jsonb" }, "v")}
          cross join lateral jsonb_array_elements(v.grants) g
        on conflict (user_id, role) do update
        set via = excluded.via, rules_version = excluded.rules_version, resolved_at = now())`);
    // The roles lost, by their key: each is one lookup of the primary key, however the planner estimates the
    // table. Deleting "every role of these people that their new roles do not name" instead was planned, with
    // statistics that lag the table (PGlite after a big push, before its refresh), as a scan of every stored
    // role: 19.8 ms for a batch of 8 changes with 47,000 roles stored, against 1.3 ms now.
    const goneRows = slice(rolesGone);
    if (goneRows)
      parts.push(sql`roles_gone as (
        delete from ${userRoles} r using ${jsonRows(goneRows, { userId: "uuid", role: "text" }, "v")}
        where r.user_id = v."userId" and r.role = v.role)`);
    const confirmIds = slice(confirm);
    if (confirmIds)
      parts.push(sql`confirmed as (
        update ${sessions} set groups_confirmed_at = now()
        where ${inList(sessions.userId, confirmIds)} and revoked_at is null)`);
    if (parts.length > 0) await tx.execute(sql`with ${sql.join(parts, sql`, `)} select 1`);
  }
}
