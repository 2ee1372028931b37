import { and, asc, eq, inArray, isNotNull, or, sql, type SQL } from "drizzle-orm";
import { inList } from "../db/in-list";
import { rowsOf } from "../db/rows";
import { parse } from "scim2-parse-filter";
import { appendAuditEvent, appendAuditEvents, auditEvent, type AuditEvent, type AuditTx } from "../audit";
import type { Queryable } from "../db/client";
import { mappingRules, scimGroupMembers, scimGroups, users, type ScimGroup } from "../db/schema";
import { applyPushedGroups, pushTransaction } from "./apply";
import { notFound, scimError } from "./errors";
import { readPatchOperations } from "./patch-input";
import { type Condition, type Paging, parseScimFilter } from "./query";
import { listResponse, SCHEMAS, toScimGroup } from "./resources";
import { isUuid, type ScimScope } from "./scope";
import { groupBy } from "../core/group-by";

const GROUP_FILTER_ATTRIBUTES = ["displayName", "externalId"] as const;
const GROUP_PATCH_ATTRIBUTES = ["displayName", "externalId", "members"];
const MAX_NAME = 1024;
/** People named per direction in a scim.group_changed event; the counts are always whole. */
const SAMPLE = 20;

function groupCondition(c: Condition): SQL {
  if ("op" in c) {
    const parts = c.conditions.map(groupCondition);
    return (c.op === "and" ? and(...parts) : or(...parts)) ?? sql`true`;
  }
  if (c.attribute === "displayName") return sql`lower(${scimGroups.displayName}) = lower(${c.value})`;
  return eq(scimGroups.externalId, c.value);
}

/** Members of groups, as SCIM shows them ({value, display}). */
async function membersOf(db: Queryable, groupIds: readonly string[]) {
  if (groupIds.length === 0) return new Map<string, { id: string; label: string }[]>();
  const rows = await db
    .select({
      groupId: scimGroupMembers.groupId,
      id: users.id,
      label: sql<string>`coalesce(${users.name}, ${users.userName}, ${users.email}, ${users.sub})`,
    })
    .from(scimGroupMembers)
    .innerJoin(users, eq(users.id, scimGroupMembers.userId))
    .where(inList(scimGroupMembers.groupId, groupIds))
    .orderBy(asc(users.id));
  return groupBy(
    rows,
    (r) => r.groupId,
    (r) => ({ id: r.id, label: r.label }),
  );
}

/** GET /Groups: pushed groups in a stable order; `excludedAttributes=members` leaves members out. */
export async function listGroups(scope: ScimScope, filter: string | null, paging: Paging, withMembers: boolean) {
  const where = [eq(scimGroups.organizationId, scope.organization.id)];
  if (filter) where.push(groupCondition(parseScimFilter(filter, GROUP_FILTER_ATTRIBUTES, SCHEMAS.group)));
  const total = await scope.db.$count(scimGroups, and(...where));
  const rows =
    paging.count === 0
      ? []
      : await scope.db
          .select()
          .from(scimGroups)
          .where(and(...where))
          .orderBy(asc(scimGroups.createdAt), asc(scimGroups.id))
          .offset(paging.startIndex - 1)
          .limit(paging.count);
  const members = withMembers
    ? await membersOf(
        scope.db,
        rows.map((r) => r.id),
      )
    : null;
  return listResponse(
    total,
    paging.startIndex,
    rows.map((g) => toScimGroup(g, members ? (members.get(g.id) ?? []) : null, scope.base)),
  );
}

/**
 * A group of the organization. No row lock for a write: every write of scim_groups runs under the
 * organization's group-writes lock (pushTransaction), one at a time.
 */
async function findGroup(db: Queryable, organizationId: string, id: string): Promise<ScimGroup | null> {
  if (!isUuid(id)) return null;
  const [row] = await db
    .select()
    .from(scimGroups)
    .where(and(eq(scimGroups.organizationId, organizationId), eq(scimGroups.id, id)));
  return row ?? null;
}

export async function getGroup(scope: ScimScope, id: string, withMembers = true) {
  const group = await findGroup(scope.db, scope.organization.id, id);
  if (!group) throw notFound("Group", id);
  const members = withMembers ? ((await membersOf(scope.db, [group.id])).get(group.id) ?? []) : null;
  return toScimGroup(group, members, scope.base);
}

function readDisplayName(value: unknown, where: string): string {
  if (typeof value !== "string") throw scimError("invalidValue", `${where} must be a string.`);
  const name = value.replaceAll("\u0000", "").trim();
  if (name.length === 0) throw scimError("invalidValue", `${where} is required.`);
  if (name.length > MAX_NAME)
    throw scimError("invalidValue", `${where} is longer than ${String(MAX_NAME)} characters.`);
  return name;
}

function readExternalId(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value.length > 255)
    throw scimError("invalidValue", "externalId must be a string of at most 255 characters.");
  return value;
}

/** The user ids of a `members` value: a list of {value: "<User id>"} (a single object is accepted too). */
function readMemberIds(value: unknown, where: string): string[] {
  const list: unknown[] = Array.isArray(value) ? value : value && typeof value === "object" ? [value] : [];
  if (!Array.isArray(value) && list.length === 0)
    throw scimError("invalidValue", `${where} must be a list of {"value": "<User id>"}.`);
  if (list.length > 100_000)
    throw scimError("tooMany", `${where} has more than 100,000 members; send them in several PATCHes.`);
  return list.map((m, i) => {
    const id = (m as { value?: unknown } | null)?.value;
    if (typeof id !== "string")
      throw scimError("invalidValue", `${where}[${String(i)}].value must be a User id (string).`);
    return id;
  });
}

/**
 * The ids of people of this organization that Okta provisioned; anything else (another organization's id,
 * an id that does not exist, not a uuid) is 400 invalidValue naming it.
 */
async function provisionedIds(tx: Queryable, organizationId: string, ids: readonly string[]): Promise<Set<string>> {
  const wanted = [...new Set(ids)];
  const unknown = wanted.filter((id) => !isUuid(id));
  const found = new Set<string>();
  const valid = wanted.filter(isUuid);
  for (let i = 0; i < valid.length; i += 5000) {
    const rows = await tx
      .select({ id: users.id })
      .from(users)
      .where(
        and(
          eq(users.organizationId, organizationId),
          isNotNull(users.provisionedAt),
          inList(users.id, valid.slice(i, i + 5000)),
        ),
      );
    for (const r of rows) found.add(r.id);
  }
  unknown.push(...valid.filter((id) => !found.has(id)));
  if (unknown.length > 0)
    throw scimError(
      "invalidValue",
      `No User with id ${unknown
        .slice(0, 3)
        .map((id) => `"${id.slice(0, 60)}"`)
        .join(
          ", ",
        )}${unknown.length > 3 ? ` (and ${String(unknown.length - 3)} more)` : ""} in this organization: Okta pushes only people it provisioned to this app.`,
    );
  return found;
}

async function nameTaken(tx: Queryable, organizationId: string, name: string, except: string | null) {
  const [row] = await tx
    .select({ id: scimGroups.id })
    .from(scimGroups)
    .where(
      and(
        eq(scimGroups.organizationId, organizationId),
        sql`lower(${scimGroups.displayName}) = lower(${name})`,
        ...(except ? [sql`${scimGroups.id} <> ${except}`] : []),
      ),
    )
    .limit(1);
  return row?.id ?? null;
}

const nameUniqueness = (name: string, id: string) =>
  scimError("uniqueness", `A Group named "${name.slice(0, 200)}" already exists (id ${id}).`);

/**
 * The members a statement added or removed, with the group's `meta.lastModified` moved in the same statement
 * when any were (a membership PATCH is one statement here, not two).
 */
async function changeMembers(tx: Queryable, groupId: string, change: SQL): Promise<string[]> {
  const rows = await tx.execute<{ user_id: string }>(sql`
    with changed as (${change} returning user_id),
    touched as (update ${scimGroups} set updated_at = now() where ${scimGroups.id} = ${groupId} and exists (select 1 from changed))
    select user_id from changed`);
  return rowsOf<{ user_id: string }>(rows).map((r) => r.user_id);
}

async function addMembers(tx: Queryable, groupId: string, ids: readonly string[]): Promise<string[]> {
  const added: string[] = [];
  for (let i = 0; i < ids.length; i += 5000) {
    const json = JSON.stringify(ids.slice(i, i + 5000));
    added.push(
      ...(await changeMembers(
        tx,
        groupId,
        sql`insert into ${scimGroupMembers} (group_id, user_id)
          select ${groupId}::uuid, v::uuid from jsonb_array_elements_text(${json}::jsonb) as v on conflict do nothing`,
      )),
    );
  }
  return added;
}

async function removeMembers(tx: Queryable, groupId: string, ids: readonly string[] | "all"): Promise<string[]> {
  if (ids === "all")
    return changeMembers(tx, groupId, sql`delete from ${scimGroupMembers} where group_id = ${groupId}::uuid`);
  const removed: string[] = [];
  for (let i = 0; i < ids.length; i += 5000) {
    const chunk = ids.slice(i, i + 5000).filter(isUuid);
    if (chunk.length === 0) continue;
    removed.push(
      ...(await changeMembers(
        tx,
        groupId,
        sql`delete from ${scimGroupMembers} where group_id = ${groupId}::uuid and ${inList(scimGroupMembers.userId, chunk)}`,
      )),
    );
  }
  return removed;
}

/** POST /Groups: Okta pushes a group (usually with no members; they follow as PATCHes). */
export async function createGroup(scope: ScimScope, body: unknown) {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw scimError("invalidSyntax", "The body must be a SCIM Group object (JSON).");
  const b = body as Record<string, unknown>;
  const displayName = readDisplayName(b.displayName, "displayName");
  const externalId = readExternalId(b.externalId);
  const memberIds = b.members === undefined || b.members === null ? [] : readMemberIds(b.members, "members");
  const id = await pushTransaction(scope, async (tx) => {
    // Name uniqueness holds: the organization's SCIM writes run one at a time (pushTransaction).
    const taken = await nameTaken(tx, scope.organization.id, displayName, null);
    if (taken) throw nameUniqueness(displayName, taken);
    const found = await provisionedIds(tx, scope.organization.id, memberIds);
    const [group] = await tx
      .insert(scimGroups)
      .values({ organizationId: scope.organization.id, displayName, externalId })
      .returning();
    if (!group) throw new Error("group insert returned nothing");
    const added = await addMembers(tx, group.id, [...found]);
    await applyPushedGroups(tx, scope, added, `Okta pushed ${displayName}`);
    await appendAuditEvent(
      tx,
      auditEvent(
        "scim.group_pushed",
        { displayName, members: added.length },
        { ...who(scope), target: `scim_group:${group.id}`, targetLabel: displayName },
      ),
    );
    return group.id;
  });
  return getGroup(scope, id);
}

const who = (scope: ScimScope) => ({
  organizationId: scope.organization.id,
  connection: scope.connection.name,
  ...scope.by,
});

interface GroupChange {
  rename?: string;
  externalId?: string | null;
  /** Replace the whole membership with these ids. */
  replace?: string[];
  add: string[];
  remove: string[];
  removeAll: boolean;
}

/** `members[value eq "<id>"]`: the id, or null when the path is something else. */
function memberFilterId(path: string): string | null {
  const m = /^members\[(.*)\]$/i.exec(path);
  if (!m?.[1]) return null;
  try {
    const f = parse(m[1]);
    if (f.op === "eq" && f.attrPath.toLowerCase() === "value" && typeof f.compValue === "string") return f.compValue;
  } catch {
    // not a filter porter reads
  }
  throw scimError("invalidPath", `The path "${path.slice(0, 100)}" is not members[value eq "<User id>"].`);
}

/**
 * Reads a Group PatchOp into one change (RFC 7644 §3.5.2, as Okta sends it): a pathless replace of
 * {id, displayName} (with every membership update), add/remove of `members`, remove of
 * `members[value eq "<id>"]`, replace of `members` (a full push), replace of `displayName`.
 */
function readGroupChange(body: unknown, groupId: string): GroupChange {
  const change: GroupChange = { add: [], remove: [], removeAll: false };
  const ops = readPatchOperations(body, GROUP_PATCH_ATTRIBUTES, SCHEMAS.group);
  for (const [i, o] of ops.entries()) {
    const at = `Operations[${String(i)}]`;
    const path = o.path?.toLowerCase().replace(`${SCHEMAS.group.toLowerCase()}:`, "");
    if (path === undefined) {
      const value = o.value as Record<string, unknown>;
      if (o.op === "remove") throw scimError("noTarget", `${at}: remove needs a path.`);
      for (const [key, v] of Object.entries(value)) {
        const k = key.toLowerCase();
        if (k === "id") {
          if (v !== groupId) throw scimError("mutability", `${at}: id is read-only (this Group's id is ${groupId}).`);
        } else if (k === "displayname") change.rename = readDisplayName(v, `${at}.value.displayName`);
        else if (k === "externalid") change.externalId = readExternalId(v);
        else if (k === "members") {
          const ids = readMemberIds(v, `${at}.value.members`);
          if (o.op === "replace") change.replace = ids;
          else change.add.push(...ids);
        }
      }
      continue;
    }
    if (path === "displayname") {
      if (o.op === "remove") throw scimError("mutability", `${at}: displayName is required and cannot be removed.`);
      change.rename = readDisplayName(o.value, `${at}.value`);
    } else if (path === "externalid") {
      change.externalId = o.op === "remove" ? null : readExternalId(o.value);
    } else if (path === "members") {
      if (o.op === "add") change.add.push(...readMemberIds(o.value, `${at}.value`));
      else if (o.op === "replace") change.replace = readMemberIds(o.value, `${at}.value`);
      else if (o.value === undefined) change.removeAll = true;
      else change.remove.push(...readMemberIds(o.value, `${at}.value`));
    } else {
      const id = memberFilterId(o.path ?? "");
      if (o.op !== "remove" || id === null)
        throw scimError(
          "invalidPath",
          `${at}: ${o.op} on "${o.path?.slice(0, 100) ?? ""}" is not supported; remove members[value eq "<id>"] or add members.`,
        );
      change.remove.push(id);
    }
  }
  return change;
}

/**
 * PATCH /Groups/{id}: membership deltas and renames, applied under the organization's group-writes lock (two
 * PATCHes at once are serialized, neither is lost; the same PATCH twice changes nothing the second time).
 * Everyone whose membership changed (everyone in it, for a rename) goes through the one writer of people's
 * groups, with the group change, in one transaction. Answers 204 (Okta accepts it; a 10,000-member group is
 * not sent back).
 */
export async function patchGroup(scope: ScimScope, id: string, body: unknown): Promise<void> {
  const change = readGroupChange(body, id);
  await pushTransaction(scope, async (tx) => {
    const group = await findGroup(tx, scope.organization.id, id);
    if (!group) throw notFound("Group", id);
    await applyGroupChange(tx, scope, group, change);
  });
}

/** PUT /Groups/{id}: the whole group (displayName and members). */
export async function replaceGroup(scope: ScimScope, id: string, body: unknown) {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw scimError("invalidSyntax", "The body must be a SCIM Group object (JSON).");
  const b = body as Record<string, unknown>;
  const change: GroupChange = {
    rename: readDisplayName(b.displayName, "displayName"),
    externalId: readExternalId(b.externalId),
    replace: b.members === undefined || b.members === null ? [] : readMemberIds(b.members, "members"),
    add: [],
    remove: [],
    removeAll: false,
  };
  await pushTransaction(scope, async (tx) => {
    const group = await findGroup(tx, scope.organization.id, id);
    if (!group) throw notFound("Group", id);
    await applyGroupChange(tx, scope, group, change);
  });
  return getGroup(scope, id);
}

async function applyGroupChange(tx: Queryable & AuditTx, scope: ScimScope, group: ScimGroup, change: GroupChange) {
  const orgId = scope.organization.id;
  let renamedFrom: string | null = null;
  if (change.rename !== undefined && change.rename !== group.displayName) {
    const taken = await nameTaken(tx, orgId, change.rename, group.id);
    if (taken) throw nameUniqueness(change.rename, taken);
    renamedFrom = group.displayName;
  }
  await provisionedIds(tx, orgId, [...change.add, ...(change.replace ?? [])]);
  const name = renamedFrom !== null && change.rename !== undefined ? change.rename : group.displayName;
  if (renamedFrom !== null || change.externalId !== undefined)
    await tx
      .update(scimGroups)
      .set({
        displayName: name,
        ...(change.externalId !== undefined ? { externalId: change.externalId } : {}),
        updatedAt: new Date(),
      })
      .where(eq(scimGroups.id, group.id));
  const removed = new Set<string>();
  const added = new Set<string>();
  if (change.replace) {
    const wanted = new Set(change.replace);
    const current = await tx
      .select({ id: scimGroupMembers.userId })
      .from(scimGroupMembers)
      .where(eq(scimGroupMembers.groupId, group.id));
    for (const id of await removeMembers(
      tx,
      group.id,
      current.map((r) => r.id).filter((id) => !wanted.has(id)),
    ))
      removed.add(id);
    for (const id of await addMembers(tx, group.id, [...wanted])) added.add(id);
  }
  if (change.removeAll) for (const id of await removeMembers(tx, group.id, "all")) removed.add(id);
  for (const id of await removeMembers(tx, group.id, change.remove)) removed.add(id);
  for (const id of await addMembers(tx, group.id, change.add)) {
    added.add(id);
    removed.delete(id);
  }
  // A rename changes the groups of everyone in it; a membership change, those it changed.
  const affected =
    renamedFrom !== null
      ? (
          await tx
            .select({ id: scimGroupMembers.userId })
            .from(scimGroupMembers)
            .where(eq(scimGroupMembers.groupId, group.id))
        ).map((r) => r.id)
      : [];
  const people = [...new Set([...affected, ...added, ...removed])];
  const why =
    renamedFrom !== null
      ? `Okta renamed ${renamedFrom} to ${name}`
      : added.size > 0 && removed.size === 0
        ? `Okta added them to ${name}`
        : removed.size > 0 && added.size === 0
          ? `Okta removed them from ${name}`
          : `Okta changed the members of ${name}`;
  const roleEvents: AuditEvent[] = [];
  const applied = await applyPushedGroups(tx, scope, people, why, roleEvents);
  const orphanedRules = renamedFrom !== null ? await rulesMatchingNoGroup(tx, orgId, [renamedFrom]) : [];
  if (renamedFrom === null && added.size === 0 && removed.size === 0 && change.externalId === undefined) return;
  const sample = (ids: Set<string>) =>
    [...ids]
      .slice(0, SAMPLE)
      .map((id) => applied.labels.get(id) ?? id)
      .sort();
  // The group's change and the role changes it caused: one append, one lock of the chain's head.
  await appendAuditEvents(tx, [
    auditEvent(
      "scim.group_changed",
      {
        displayName: name,
        renamedFrom,
        added: added.size,
        removed: removed.size,
        addedPeople: sample(added),
        removedPeople: sample(removed),
        orphanedRules,
      },
      { ...who(scope), target: `scim_group:${group.id}`, targetLabel: name },
    ),
    ...roleEvents,
  ]);
}

/**
 * Exact-name rules (of `names`, or all) that match no group Okta pushed: after a rename in Okta such a rule
 * grants nothing until it is edited. Shown on the rules page and in the rename's audit event.
 */
export async function rulesMatchingNoGroup(
  db: Queryable,
  organizationId: string,
  names?: readonly string[],
): Promise<string[]> {
  const rows = await db
    .select({ pattern: mappingRules.pattern, role: mappingRules.role })
    .from(mappingRules)
    .where(
      and(
        eq(mappingRules.organizationId, organizationId),
        eq(mappingRules.match, "exact"),
        ...(names
          ? [
              inArray(
                sql`lower(${mappingRules.pattern})`,
                names.map((n) => n.toLowerCase()),
              ),
            ]
          : []),
        // Qualified by hand: inside a select, drizzle writes a column without its table.
        sql`not exists (select 1 from scim_groups g where g.organization_id = ${organizationId} and g.display_name = mapping_rules.pattern)`,
      ),
    )
    .orderBy(asc(mappingRules.pattern));
  return rows.map((r) => `${r.pattern} -> ${r.role}`);
}

/** DELETE /Groups/{id} (Okta's "unlink and delete in the app"): its members lose what it granted. */
export async function deleteGroup(scope: ScimScope, id: string): Promise<void> {
  await pushTransaction(scope, async (tx) => {
    const group = await findGroup(tx, scope.organization.id, id);
    if (!group) throw notFound("Group", id);
    const members = await removeMembers(tx, group.id, "all");
    await tx.delete(scimGroups).where(eq(scimGroups.id, group.id));
    await applyPushedGroups(tx, scope, members, `Okta deleted the group ${group.displayName}`);
    await appendAuditEvent(
      tx,
      auditEvent(
        "scim.group_deleted",
        { displayName: group.displayName, members: members.length },
        { ...who(scope), target: `scim_group:${group.id}`, targetLabel: group.displayName },
      ),
    );
  });
}
