import { and, asc, desc, eq, gt, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { GroupsSourceSetting } from "../config";
import type { Db } from "../db/client";
import {
  auditEvents,
  memberships,
  scimGroupMembers,
  scimGroups,
  sessions,
  signIns,
  teams,
  userRoles,
  users,
  type GroupsSourceKind,
  type StoredRoleGrant,
} from "../db/schema";
import { listPushedGroups } from "./queries";

export const USERS_PAGE_SIZE = 50;

const usersParams = z.strictObject({
  q: z.string().trim().max(200, "is too long (at most 200 characters)").optional(),
  status: z
    .enum(["active", "provisioned", "deactivated"], { error: "must be active, provisioned or deactivated" })
    .optional(),
  role: z.string().trim().max(100).optional(),
  group: z.string().trim().max(255).optional(),
  after: z
    .string()
    .max(400)
    .regex(/^[^\u0000]*\u001f[0-9a-f-]{36}$/, "is not a page cursor")
    .optional(),
  limit: z.coerce.number().int().min(1, "must be at least 1").max(200, "is at most 200").optional(),
});

export interface UsersQuery {
  q?: string;
  status?: PersonStatus;
  role?: string;
  group?: string;
  /** Keyset cursor: the last row's email and id. */
  after?: { email: string; id: string };
  limit: number;
}

/** Reads the users page's parameters; anything not understood is refused with its name. */
export function parseUsersQuery(
  params: Record<string, string | string[] | undefined>,
): { ok: true; query: UsersQuery } | { ok: false; message: string } {
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    const value = Array.isArray(v) ? v[0] : v;
    if (typeof value === "string" && value.trim() !== "") raw[k] = value;
  }
  const parsed = usersParams.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `${String(issue?.path[0] ?? "parameter")} ${issue?.message ?? "is invalid"}.` };
  }
  const { after, limit, ...rest } = parsed.data;
  const [email = "", id = ""] = after ? after.split("\u001f") : [];
  return { ok: true, query: { ...rest, ...(after ? { after: { email, id } } : {}), limit: limit ?? USERS_PAGE_SIZE } };
}

export function encodeUsersCursor(row: { email: string | null; id: string }): string {
  return `${row.email ?? ""}\u001f${row.id}`;
}

/** Where a person stands: signed in (no provisioning), provisioned by Okta (signed in or not yet), deactivated by Okta. */
export type PersonStatus = "active" | "provisioned" | "deactivated";

export const PERSON_STATUS_LABELS: Readonly<Record<PersonStatus, string>> = {
  active: "active",
  provisioned: "provisioned, never signed in",
  deactivated: "deactivated in Okta",
};

/** A person's status from their provisioning and sign-in times. */
export function personStatus(u: {
  provisionedAt: Date | null;
  deprovisionedAt: Date | null;
  lastSignInAt: Date | null;
}): PersonStatus {
  if (u.deprovisionedAt) return "deactivated";
  if (u.provisionedAt && !u.lastSignInAt) return "provisioned";
  return "active";
}

export interface UserListRow {
  id: string;
  email: string | null;
  name: string | null;
  sub: string;
  lastSignInAt: Date | null;
  status: PersonStatus;
  /** Okta provisioned the person over SCIM. */
  provisioned: boolean;
  roles: StoredRoleGrant[];
  teamCount: number;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
const sortEmail = sql<string>`coalesce(${users.email}, '')`;

function userConditions(organizationId: string, query: Omit<UsersQuery, "limit" | "after">): SQL[] {
  const where: SQL[] = [eq(users.organizationId, organizationId)];
  if (query.q) {
    // Prefixes, case-insensitive, on indexes of lower(email) and lower(name) (text_pattern_ops); or the exact Okta sub.
    const prefix = `${escapeLike(query.q.toLowerCase())}%`;
    const match = or(
      sql`lower(${users.email}) like ${prefix}`,
      sql`lower(${users.name}) like ${prefix}`,
      eq(users.sub, query.q),
    );
    if (match) where.push(match);
  }
  if (query.status === "deactivated") where.push(sql`${users.deprovisionedAt} is not null`);
  if (query.status === "provisioned")
    where.push(
      sql`${users.provisionedAt} is not null and ${users.deprovisionedAt} is null and ${users.lastSignInAt} is null`,
    );
  if (query.status === "active")
    where.push(
      sql`${users.deprovisionedAt} is null and (${users.provisionedAt} is null or ${users.lastSignInAt} is not null)`,
    );
  if (query.role) {
    where.push(
      sql`exists (select 1 from ${userRoles} where ${userRoles.userId} = ${users.id} and ${userRoles.role} = ${query.role})`,
    );
  }
  if (query.group) {
    where.push(
      sql`exists (select 1 from ${memberships} join ${teams} on ${teams.id} = ${memberships.teamId} where ${memberships.userId} = ${users.id} and ${teams.name} = ${query.group})`,
    );
  }
  return where;
}

/** One page of the organization's people, by keyset on (email, id): no OFFSET, so page 2,000 costs what page 1 does. */
export async function listUsersPage(
  db: Db,
  organizationId: string,
  query: UsersQuery,
): Promise<{ users: UserListRow[]; next: string | null }> {
  const where = userConditions(organizationId, query);
  // A row comparison, so the (organization, coalesce(email), id) index seeks straight to the cursor.
  if (query.after) where.push(sql`(${sortEmail}, ${users.id}) > (${query.after.email}, ${query.after.id}::uuid)`);
  const rows = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      sub: users.sub,
      lastSignInAt: users.lastSignInAt,
      provisionedAt: users.provisionedAt,
      deprovisionedAt: users.deprovisionedAt,
    })
    .from(users)
    .where(and(...where))
    .orderBy(asc(sortEmail), asc(users.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const ids = page.map((r) => r.id);
  const [roles, counts] = ids.length
    ? await Promise.all([
        db
          .select({ userId: userRoles.userId, role: userRoles.role, via: userRoles.via })
          .from(userRoles)
          .where(inArray(userRoles.userId, ids))
          .orderBy(asc(userRoles.role)),
        db
          .select({ userId: memberships.userId, n: sql<number>`count(*)`.mapWith(Number) })
          .from(memberships)
          .where(inArray(memberships.userId, ids))
          .groupBy(memberships.userId),
      ])
    : [[], []];
  const last = page.at(-1);
  return {
    users: page.map(({ provisionedAt, deprovisionedAt, ...u }) => ({
      ...u,
      status: personStatus({ provisionedAt, deprovisionedAt, lastSignInAt: u.lastSignInAt }),
      provisioned: provisionedAt !== null,
      roles: roles.filter((r) => r.userId === u.id).map((r) => ({ role: r.role, via: r.via })),
      teamCount: counts.find((c) => c.userId === u.id)?.n ?? 0,
    })),
    next: rows.length > query.limit && last ? encodeUsersCursor(last) : null,
  };
}

/** Every role name in use in the organization, for the role filter. */
export async function listRoleNamesInUse(db: Db, organizationId: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ role: userRoles.role })
    .from(userRoles)
    .where(eq(userRoles.organizationId, organizationId))
    .orderBy(asc(userRoles.role));
  return rows.map((r) => r.role);
}

export interface UserDetail {
  user: {
    id: string;
    email: string | null;
    name: string | null;
    sub: string;
    createdAt: Date;
    lastSignInAt: Date | null;
    provisionedAt: Date | null;
    deprovisionedAt: Date | null;
    userName: string | null;
  };
  status: PersonStatus;
  /** The groups Okta pushed over SCIM with the person in them (empty when not provisioned). */
  pushedGroups: string[];
  teams: string[];
  roles: StoredRoleGrant[];
  sessions: {
    createdAt: Date;
    lastSeenAt: Date;
    expiresAt: Date;
    connection: string;
    groupsSource: GroupsSourceKind;
    groupsConfirmedAt: Date;
  }[];
  history: {
    at: Date;
    gained: string[];
    lost: string[];
    cause: string;
    change: string | null;
    actor: string | null;
    eventId: number;
  }[];
  signIns: { at: Date; rawGroupCount: number; keptGroups: number }[];
}

/** One person of the organization (another organization's id is null), with their roles' provenance and history. */
export async function getUserDetail(db: Db, organizationId: string, userId: string): Promise<UserDetail | null> {
  const [user] = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      sub: users.sub,
      createdAt: users.createdAt,
      lastSignInAt: users.lastSignInAt,
      provisionedAt: users.provisionedAt,
      deprovisionedAt: users.deprovisionedAt,
      userName: users.userName,
    })
    .from(users)
    .where(and(eq(users.organizationId, organizationId), eq(users.id, userId)));
  if (!user) return null;
  const [pushedGroups, teamRows, roleRows, sessionRows, historyRows, signInRows] = await Promise.all([
    listPushedGroups(db, userId),
    db
      .select({ name: teams.name })
      .from(memberships)
      .innerJoin(teams, eq(teams.id, memberships.teamId))
      .where(eq(memberships.userId, userId))
      .orderBy(asc(teams.name)),
    db
      .select({ role: userRoles.role, via: userRoles.via })
      .from(userRoles)
      .where(eq(userRoles.userId, userId))
      .orderBy(asc(userRoles.role)),
    db
      .select({
        createdAt: sessions.createdAt,
        lastSeenAt: sessions.lastSeenAt,
        expiresAt: sessions.expiresAt,
        connection: sessions.connection,
        groupsSource: sessions.groupsSource,
        groupsConfirmedAt: sessions.groupsConfirmedAt,
      })
      .from(sessions)
      .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, new Date())))
      .orderBy(desc(sessions.createdAt)),
    db
      .select({
        id: auditEvents.id,
        at: auditEvents.at,
        details: auditEvents.details,
        actor: auditEvents.actor,
        reason: auditEvents.reason,
      })
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.organizationId, organizationId),
          eq(auditEvents.type, "roles.changed"),
          eq(auditEvents.target, `user:${userId}`),
        ),
      )
      .orderBy(desc(auditEvents.id))
      .limit(100),
    db
      .select({
        at: signIns.at,
        rawGroupCount: signIns.rawGroupCount,
        keptGroups: sql<number>`cardinality(${signIns.keptGroups})`.mapWith(Number),
      })
      .from(signIns)
      .where(eq(signIns.userId, userId))
      .orderBy(desc(signIns.at))
      .limit(20),
  ]);
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  return {
    user,
    status: personStatus(user),
    pushedGroups,
    teams: teamRows.map((t) => t.name),
    roles: roleRows,
    sessions: sessionRows,
    history: historyRows.map((h) => ({
      at: h.at,
      gained: list(h.details.gained),
      lost: list(h.details.lost),
      cause: typeof h.details.cause === "string" ? h.details.cause : (h.reason ?? "unknown"),
      // An Okta event's roles.changed says why on its own ("Okta removed PAM Linux Sysadmins, event <uuid>").
      change:
        typeof h.details.why === "string"
          ? h.details.why
          : typeof h.details.change === "string"
            ? h.details.change
            : null,
      actor: h.actor,
      eventId: h.id,
    })),
    signIns: signInRows,
  };
}

/** Every person with their roles, in pages by keyset: the access review export reads it batch by batch. */
export async function* iterateAccessReview(
  db: Db,
  organizationId: string,
  batchSize = 1_000,
): AsyncGenerator<UserListRow[]> {
  let after: UsersQuery["after"];
  for (;;) {
    const page = await listUsersPage(db, organizationId, { limit: batchSize, ...(after ? { after } : {}) });
    if (page.users.length > 0) yield page.users;
    const last = page.users.at(-1);
    if (!page.next || !last) return;
    after = { email: last.email ?? "", id: last.id };
  }
}

/**
 * The distinct group names sources have sent for the organization's people (for the filter playground), by
 * name. With `groupsSource: scim`, the pushed groups with someone in them whom Okta has not deactivated.
 */
export async function listSeenGroups(
  db: Db,
  organizationId: string,
  groupsSource: GroupsSourceSetting,
  limit = 2_000,
): Promise<{ groups: string[]; truncated: boolean }> {
  const g = sql<string>`unnest(${users.sourceGroups})`;
  const rows =
    groupsSource === "scim"
      ? await db
          .selectDistinct({ g: scimGroups.displayName })
          .from(scimGroups)
          .where(
            and(
              eq(scimGroups.organizationId, organizationId),
              sql`exists (select 1 from ${scimGroupMembers} m join ${users} u on u.id = m.user_id
                where m.group_id = ${scimGroups.id} and u.deprovisioned_at is null)`,
            ),
          )
          .orderBy(scimGroups.displayName)
          .limit(limit + 1)
      : await db
          .selectDistinct({ g })
          .from(users)
          .where(eq(users.organizationId, organizationId))
          .orderBy(g)
          .limit(limit + 1);
  const groups = rows.map((r) => r.g);
  return { groups: groups.slice(0, limit), truncated: groups.length > limit };
}
