import { and, asc, eq, isNotNull, isNull, or, sql, type SQL } from "drizzle-orm";
import { inList } from "../db/in-list";
import { scimPatch, type ScimPatchOperation } from "scim-patch";
import { appendAuditEvent, auditEvent } from "../audit";
import type { Queryable } from "../db/client";
import { scimGroupMembers, scimGroups, users, type User } from "../db/schema";
import { endAccess } from "../sessions/end-access";
import { applyPushedGroups, pushTransaction } from "./apply";
import { notFound, scimError } from "./errors";
import { type Condition, type Paging, parseScimFilter } from "./query";
import { listResponse, SCHEMAS, toScimUser, type ScimUser } from "./resources";
import { isUuid, type ScimScope } from "./scope";
import { displayNameOf, primaryEmail, readUserInput, type UserInput } from "./user-input";
import { readPatchOperations } from "./patch-input";
import { groupBy } from "../core/group-by";

const USER_FILTER_ATTRIBUTES = ["userName", "externalId", "displayName"] as const;

function userCondition(c: Condition): SQL {
  if ("op" in c) {
    const parts = c.conditions.map(userCondition);
    return (c.op === "and" ? and(...parts) : or(...parts)) ?? sql`true`;
  }
  // RFC 7643: userName and displayName are caseExact false; externalId is caseExact true.
  if (c.attribute === "userName") return sql`lower(${users.userName}) = lower(${c.value})`;
  if (c.attribute === "displayName") return sql`lower(${users.name}) = lower(${c.value})`;
  return eq(users.externalId, c.value);
}

const provisioned = (organizationId: string) =>
  and(eq(users.organizationId, organizationId), isNotNull(users.provisionedAt));

/** The pushed groups of each person, for their SCIM representation. */
async function groupsOf(db: Queryable, userIds: readonly string[]) {
  if (userIds.length === 0) return new Map<string, { id: string; displayName: string }[]>();
  const rows = await db
    .select({ userId: scimGroupMembers.userId, id: scimGroups.id, displayName: scimGroups.displayName })
    .from(scimGroupMembers)
    .innerJoin(scimGroups, eq(scimGroups.id, scimGroupMembers.groupId))
    .where(inList(scimGroupMembers.userId, userIds))
    .orderBy(asc(scimGroups.displayName));
  return groupBy(
    rows,
    (r) => r.userId,
    (r) => ({ id: r.id, displayName: r.displayName }),
  );
}

/** GET /Users: the provisioned people, in a stable order (created, id), filtered as Okta asks. */
export async function listUsers(scope: ScimScope, filter: string | null, paging: Paging) {
  const where = [provisioned(scope.organization.id)];
  if (filter) where.push(userCondition(parseScimFilter(filter, USER_FILTER_ATTRIBUTES, SCHEMAS.user)));
  const total = await scope.db.$count(users, and(...where));
  const rows =
    paging.count === 0
      ? []
      : await scope.db
          .select()
          .from(users)
          .where(and(...where))
          .orderBy(asc(users.provisionedAt), asc(users.id))
          .offset(paging.startIndex - 1)
          .limit(paging.count);
  const groups = await groupsOf(
    scope.db,
    rows.map((r) => r.id),
  );
  return listResponse(
    total,
    paging.startIndex,
    rows.map((r) => toScimUser(r, groups.get(r.id) ?? [], scope.base)),
  );
}

async function findUser(db: Queryable, organizationId: string, id: string, lock = false): Promise<User | null> {
  if (!isUuid(id)) return null;
  const query = db
    .select()
    .from(users)
    .where(and(provisioned(organizationId), eq(users.id, id)));
  const [row] = lock ? await query.for("update") : await query;
  return row ?? null;
}

export async function getUser(scope: ScimScope, id: string): Promise<ScimUser> {
  const user = await findUser(scope.db, scope.organization.id, id);
  if (!user) throw notFound("User", id);
  return toScimUser(user, (await groupsOf(scope.db, [user.id])).get(user.id) ?? [], scope.base);
}

/** The columns a User body sets. */
function columnsOf(input: UserInput) {
  return {
    userName: input.userName,
    externalId: input.externalId,
    givenName: input.givenName,
    familyName: input.familyName,
    name: displayNameOf(input),
    email: primaryEmail(input),
    scimEmails: input.emails,
    locale: input.locale,
    updatedAt: new Date(),
  };
}

/** Whether another provisioned person of the organization already has this userName (case-insensitive). */
async function userNameTaken(tx: Queryable, organizationId: string, userName: string, except: string | null) {
  const [row] = await tx
    .select({ id: users.id })
    .from(users)
    .where(
      and(
        provisioned(organizationId),
        sql`lower(${users.userName}) = lower(${userName})`,
        ...(except ? [sql`${users.id} <> ${except}`] : []),
      ),
    )
    .limit(1);
  return row?.id ?? null;
}

const uniqueness = (userName: string, id: string) =>
  scimError("uniqueness", `A User with userName "${userName.slice(0, 200)}" already exists (id ${id}).`);

/** A unique-index violation (two requests racing for one userName) is the same 409. */
function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err, i = 0; e && i < 5; i++) {
    if ((e as { code?: unknown }).code === "23505") return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * POST /Users. Okta's id is `externalId` (the ID token's `sub`): a person Okta provisioned before is
 * provisioned again (a deactivated one reactivated), never refused; a person who signed in before
 * provisioning is linked (by `sub`, then by userName); another person with the userName is 409.
 */
export async function createUser(scope: ScimScope, body: unknown): Promise<{ status: 200 | 201; user: ScimUser }> {
  const input = readUserInput(body);
  const { organization } = scope;
  try {
    const user = await pushTransaction(scope, async (tx) => {
      const byExternalId = input.externalId
        ? await tx
            .select()
            .from(users)
            .where(and(provisioned(organization.id), eq(users.externalId, input.externalId)))
            .for("update")
            .then((r) => r[0] ?? null)
        : null;
      const taken = await userNameTaken(tx, organization.id, input.userName, byExternalId?.id ?? null);
      if (taken) throw uniqueness(input.userName, taken);
      if (byExternalId) {
        const [row] = await tx.update(users).set(columnsOf(input)).where(eq(users.id, byExternalId.id)).returning();
        if (!row) throw new Error("user update returned nothing");
        await provisionedEvent(tx, scope, row, "reprovisioned");
        if (input.active !== false) await setActive(tx, scope, row, true);
        return row;
      }
      // Someone who signed in before Okta provisioned them: their sub is Okta's id; else their username.
      const [signedIn] = await tx
        .select()
        .from(users)
        .where(
          and(
            eq(users.organizationId, organization.id),
            isNull(users.provisionedAt),
            input.externalId
              ? or(eq(users.sub, input.externalId), sql`lower(${users.email}) = lower(${input.userName})`)
              : sql`lower(${users.email}) = lower(${input.userName})`,
          ),
        )
        .orderBy(sql`${users.sub} = ${input.externalId ?? ""} desc`)
        .limit(1)
        .for("update");
      const values = { ...columnsOf(input), provisionedAt: new Date(), deprovisionedAt: null };
      const [row] = signedIn
        ? await tx.update(users).set(values).where(eq(users.id, signedIn.id)).returning()
        : await tx
            .insert(users)
            .values({
              organizationId: organization.id,
              sub: input.externalId ?? `scim:${crypto.randomUUID()}`,
              ...values,
            })
            .returning();
      if (!row) throw new Error("user write returned nothing");
      await provisionedEvent(tx, scope, row, signedIn ? "linked" : "created");
      if (input.active === false) await setActive(tx, scope, row, false);
      else if (signedIn) await applyPushedGroups(tx, scope, [row.id], "Okta provisioned the person");
      return row;
    });
    return { status: 201, user: await getUser(scope, user.id) };
  } catch (err) {
    if (isUniqueViolation(err)) throw uniqueness(input.userName, "another");
    throw err;
  }
}

function provisionedEvent(
  tx: Queryable & Parameters<typeof appendAuditEvent>[0],
  scope: ScimScope,
  user: User,
  how: "created" | "linked" | "reprovisioned",
) {
  return appendAuditEvent(
    tx,
    auditEvent(
      "scim.user_provisioned",
      { userName: user.userName ?? "", externalId: user.externalId, how },
      {
        organizationId: scope.organization.id,
        connection: scope.connection.name,
        ...scope.by,
        target: `user:${user.id}`,
        targetLabel: user.email ?? user.userName,
      },
    ),
  );
}

/**
 * Active or not (Okta never deletes: suspend, deactivate and unassign are all `active: false`). Deactivating
 * ends every session of the person on every node and refuses their earlier access tokens (the one
 * revocation path), and takes their roles out of effect; reactivating restores sign-in, and their roles
 * come back from their pushed groups.
 */
async function setActive(
  tx: Queryable & Parameters<typeof appendAuditEvent>[0],
  scope: ScimScope,
  user: User,
  active: boolean,
): Promise<void> {
  if ((user.deprovisionedAt === null) === active) return;
  await tx
    .update(users)
    .set({ deprovisionedAt: active ? null : new Date(), updatedAt: new Date() })
    .where(eq(users.id, user.id));
  const who = { organizationId: scope.organization.id, connection: scope.connection.name, ...scope.by };
  if (!active)
    await endAccess(tx, {
      organizationId: scope.organization.id,
      connection: scope.connection.name,
      people: [user],
      cause: "scim_deprovisioned",
      by: scope.by,
      details: { why: "Okta set active: false over SCIM (suspended, deactivated or unassigned)" },
    });
  await applyPushedGroups(
    tx,
    scope,
    [user.id],
    active ? "Okta reactivated the person (SCIM active: true)" : "Okta deactivated the person (SCIM active: false)",
  );
  await appendAuditEvent(
    tx,
    auditEvent(
      active ? "scim.user_reactivated" : "scim.user_deactivated",
      { userName: user.userName ?? "" },
      { ...who, target: `user:${user.id}`, targetLabel: user.email ?? user.userName },
    ),
  );
}

/** PUT /Users/{id}: the whole resource; `active` as sent (absent: unchanged). */
export async function replaceUser(scope: ScimScope, id: string, body: unknown): Promise<ScimUser> {
  return writeUser(scope, id, () => readUserInput(body));
}

/**
 * PATCH /Users/{id}. Okta sends a pathless replace of `active`; other clients paths such as
 * `name.givenName` or `emails[type eq "work"].value`. The operations are applied to the person's SCIM
 * representation with scim-patch (after porter checks each op and path), and the result is written as a PUT.
 */
export async function patchUser(scope: ScimScope, id: string, body: unknown): Promise<ScimUser> {
  const operations = readPatchOperations(body, USER_PATCH_ATTRIBUTES);
  return writeUser(scope, id, (current) => {
    let patched: unknown;
    try {
      patched = scimPatch(structuredClone(current) as never, operations as ScimPatchOperation[], {
        mutateDocument: true,
        treatMissingAsAdd: true,
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw scimError(
        /target/i.test(message) ? "noTarget" : "invalidPath",
        `The PATCH cannot be applied: ${message.slice(0, 300)}`,
      );
    }
    return readUserInput(patched);
  });
}

/** The attributes a User PATCH may name (porter stores these; `groups` changes through /Groups). */
const USER_PATCH_ATTRIBUTES = ["active", "userName", "externalId", "name", "displayName", "emails", "locale"];

async function writeUser(scope: ScimScope, id: string, next: (current: ScimUser) => UserInput): Promise<ScimUser> {
  try {
    await pushTransaction(scope, async (tx) => {
      const user = await findUser(tx, scope.organization.id, id, true);
      if (!user) throw notFound("User", id);
      const current = toScimUser(user, [], scope.base);
      const input = next(current);
      const taken = await userNameTaken(tx, scope.organization.id, input.userName, user.id);
      if (taken) throw uniqueness(input.userName, taken);
      const columns = columnsOf(input);
      const changed = (Object.keys(columns) as (keyof typeof columns)[]).filter(
        (k) => k !== "updatedAt" && JSON.stringify(columns[k]) !== JSON.stringify(user[k]),
      );
      if (changed.length > 0) {
        await tx.update(users).set(columns).where(eq(users.id, user.id));
        await appendAuditEvent(
          tx,
          auditEvent(
            "scim.user_updated",
            { userName: input.userName, changed },
            {
              organizationId: scope.organization.id,
              connection: scope.connection.name,
              ...scope.by,
              target: `user:${user.id}`,
              targetLabel: columns.email ?? input.userName,
            },
          ),
        );
      }
      if (input.active !== undefined) await setActive(tx, scope, user, input.active);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw scimError("uniqueness", "Another User already has this userName.");
    throw err;
  }
  return getUser(scope, id);
}

/** DELETE /Users/{id}: porter never deletes a person (their history stays); it is a deactivation. */
export async function deleteUser(scope: ScimScope, id: string): Promise<void> {
  await pushTransaction(scope, async (tx) => {
    const user = await findUser(tx, scope.organization.id, id, true);
    if (!user) throw notFound("User", id);
    await setActive(tx, scope, user, false);
  });
}
