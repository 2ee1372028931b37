import { and, asc, eq, inArray, isNotNull, or, sql, type SQL } from "drizzle-orm";
import { inList, jsonRows } from "../db/in-list";
import { parse } from "scim2-parse-filter";
import { appendAuditEvent, appendAuditEvents, auditEvent, type AuditEvent, type AuditTx } from "../audit";
import type { Queryable } from "../db/client";
import { mappingRules, scimGroupMembers, scimGroups, users, type ScimGroup } from "../db/schema";
import { applyPushedGroups, pushTransaction } from "./apply";
import { notFound, ScimError, scimError } from "./errors";
import { readPatchOperations } from "./patch-input";
import { type Condition, type Paging, parseScimFilter } from "./query";
import { listResponse, SCHEMAS, toScimGroup } from "./resources";
import { isUuid, type ScimScope } from "./scope";
import { groupBy } from "../core/group-by";
import { Batcher, type Settled } from "../core/batcher";

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
  requireProvisioned(wanted, found);
  return found;
}

/** 400 invalidValue naming the ids (up to three) that are not among the people Okta provisioned. */
function requireProvisioned(ids: Iterable<string>, provisioned: ReadonlySet<string>): void {
  const unknown = [...new Set(ids)].filter((id) => !provisioned.has(id));
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
    // A new group: every member found is added.
    const added = [...found];
    await writeMemberships(
      tx,
      added.map((u) => ({ g: group.id, u })),
      [],
      [],
    );
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

/** What one group change did: read and checked first (a refusal comes before any write), then written. */
interface GroupChanged {
  scope: ScimScope;
  group: ScimGroup;
  name: string;
  renamedFrom: string | null;
  externalIdChanged: boolean;
  added: Set<string>;
  removed: Set<string>;
  /** Everyone whose groups it changed (everyone in it, for a rename). */
  people: string[];
  why: string;
}

/** At most 64 changes in one transaction, naming at most 2,000 people between them (a big push goes alone). */
const BATCH = {
  max: 64,
  budget: 2000,
  weight: (r: GroupChangeRequest) => 1 + r.change.add.length + r.change.remove.length + (r.change.replace?.length ?? 0),
};

/**
 * Group PATCHes and PUTs of one organization that arrive while one is applied go together in the next
 * transaction (group commit): each is still applied in arrival order and answered on its own, a refused one
 * (404, 400, 409) changes nothing and does not hold back the others, and one pass of the one writer serves
 * them all.
 */
const groupChanges = new Batcher<GroupChangeRequest, void>(async (requests) => {
  const first = requests[0];
  if (!first) return [];
  return pushTransaction(first.scope, async (tx) => {
    const { changed, settled } = await changeGroups(tx, requests);
    await applyGroupChanges(tx, first.scope, changed);
    return settled;
  });
}, BATCH);

/** A group change through the organization's batches: refused alone, or applied with those sent at once. */
function submitGroupChange(scope: ScimScope, id: string, change: GroupChange): Promise<void> {
  // Requests batch together only when everything they record is the same: organization, connection, actor.
  const { organization, connection, by } = scope;
  const key = [organization.id, connection.name, connection.groupsSource, by.actorSub, by.ip, by.userAgent];
  return groupChanges.submit(JSON.stringify(key), {
    scope,
    id,
    change,
  });
}

/**
 * PATCH /Groups/{id}: membership deltas and renames, applied under the organization's group-writes lock (two
 * PATCHes at once are applied one after the other, in one transaction, and neither is lost; the same PATCH
 * twice changes nothing the second time).
 * Everyone whose membership changed (everyone in it, for a rename) goes through the one writer of people's
 * groups, with the group change, in one transaction. Answers 204 (Okta accepts it; a 10,000-member group is
 * not sent back).
 */
export async function patchGroup(scope: ScimScope, id: string, body: unknown): Promise<void> {
  await submitGroupChange(scope, id, readGroupChange(body, id));
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
  await submitGroupChange(scope, id, change);
  return getGroup(scope, id);
}

/** The members of the groups a transaction's changes touch, as far as they are known: whole groups, or pairs. */
type Members = Map<string, Set<string>>;

/**
 * What group changes of one transaction read, once for all of them: their groups; the whole membership of a
 * group one of them replaces, empties or renames; and for every person they name, whether Okta provisioned
 * them and which of these groups they are in.
 */
async function readForChanges(tx: Queryable, organizationId: string, requests: readonly GroupChangeRequest[]) {
  const ids = [...new Set(requests.map((r) => r.id).filter(isUuid))];
  const groups = new Map<string, ScimGroup>();
  const members: Members = new Map();
  const provisioned = new Set<string>();
  if (ids.length === 0) return { groups, members, provisioned };
  for (const g of await tx
    .select()
    .from(scimGroups)
    .where(and(eq(scimGroups.organizationId, organizationId), inList(scimGroups.id, ids)))) {
    groups.set(g.id, g);
    members.set(g.id, new Set());
  }
  const found = [...groups.keys()];
  if (found.length === 0) return { groups, members, provisioned };
  // A rename's people are everyone in the group. Okta restates the name with every membership change: only a
  // name other than the stored one renames (a batch's later renames of that group then find it whole too).
  const whole = [
    ...new Set(
      requests
        .filter(
          (r) =>
            r.change.replace !== undefined ||
            r.change.removeAll ||
            (r.change.rename !== undefined && r.change.rename !== groups.get(r.id)?.displayName),
        )
        .map((r) => r.id)
        .filter((id) => groups.has(id)),
    ),
  ];
  if (whole.length > 0)
    for (const m of await tx
      .select({ groupId: scimGroupMembers.groupId, userId: scimGroupMembers.userId })
      .from(scimGroupMembers)
      .where(inList(scimGroupMembers.groupId, whole)))
      members.get(m.groupId)?.add(m.userId);
  const named = [
    ...new Set(requests.flatMap((r) => [...r.change.add, ...r.change.remove, ...(r.change.replace ?? [])])),
  ].filter(isUuid);
  for (let i = 0; i < named.length; i += 5000) {
    const rows = await tx
      .select({
        id: users.id,
        provisioned: sql<boolean>`${users.provisionedAt} is not null`,
        groupId: scimGroupMembers.groupId,
      })
      .from(users)
      .leftJoin(scimGroupMembers, and(eq(scimGroupMembers.userId, users.id), inList(scimGroupMembers.groupId, found)))
      .where(and(eq(users.organizationId, organizationId), inList(users.id, named.slice(i, i + 5000))));
    for (const r of rows) {
      if (r.provisioned) provisioned.add(r.id);
      if (r.groupId) members.get(r.groupId)?.add(r.id);
    }
  }
  return { groups, members, provisioned };
}

interface GroupChangeRequest {
  scope: ScimScope;
  id: string;
  change: GroupChange;
}

/**
 * Group changes in arrival order, each answered on its own: its group found, its new name and members checked
 * (a refusal is thrown before anything of it is written, and leaves the others alone), then applied to the
 * memberships as they stand after the ones before it. What they changed together is written at the end, in
 * one statement: the memberships added and removed, and the groups' meta.lastModified.
 */
async function changeGroups(
  tx: Queryable,
  requests: readonly GroupChangeRequest[],
): Promise<{ changed: GroupChanged[]; settled: Settled<void>[] }> {
  const first = requests[0];
  if (!first) return { changed: [], settled: [] };
  const orgId = first.scope.organization.id;
  const { groups, members, provisioned } = await readForChanges(tx, orgId, requests);
  const before = new Map([...members].map(([id, set]) => [id, new Set(set)]));
  const touched = new Set<string>();
  const changed: GroupChanged[] = [];
  const settled: Settled<void>[] = [];
  for (const { scope, id, change } of requests) {
    try {
      const group = groups.get(id);
      const current = members.get(id);
      if (!group || !current) throw notFound("Group", id);
      let renamedFrom: string | null = null;
      if (change.rename !== undefined && change.rename !== group.displayName) {
        const taken = await nameTaken(tx, orgId, change.rename, group.id);
        if (taken) throw nameUniqueness(change.rename, taken);
        renamedFrom = group.displayName;
      }
      requireProvisioned([...change.add, ...(change.replace ?? [])], provisioned);
      // Checked: from here on nothing is refused.
      const name = renamedFrom !== null && change.rename !== undefined ? change.rename : group.displayName;
      if (renamedFrom !== null || change.externalId !== undefined) {
        const externalId = change.externalId !== undefined ? change.externalId : group.externalId;
        await tx
          .update(scimGroups)
          .set({ displayName: name, externalId, updatedAt: new Date() })
          .where(eq(scimGroups.id, group.id));
        groups.set(id, { ...group, displayName: name, externalId });
      }
      const removed = new Set<string>();
      const added = new Set<string>();
      if (change.replace) {
        const wanted = new Set(change.replace);
        for (const m of current) if (!wanted.has(m)) removed.add(m);
        for (const m of wanted) if (!current.has(m)) added.add(m);
        current.clear();
        for (const m of wanted) current.add(m);
      }
      if (change.removeAll) {
        for (const m of current) removed.add(m);
        current.clear();
      }
      for (const m of change.remove) if (current.delete(m)) removed.add(m);
      for (const m of change.add)
        if (!current.has(m)) {
          current.add(m);
          added.add(m);
          removed.delete(m);
        }
      if (added.size > 0 || removed.size > 0) touched.add(id);
      const why =
        renamedFrom !== null
          ? `Okta renamed ${renamedFrom} to ${name}`
          : added.size > 0 && removed.size === 0
            ? `Okta added them to ${name}`
            : removed.size > 0 && added.size === 0
              ? `Okta removed them from ${name}`
              : `Okta changed the members of ${name}`;
      changed.push({
        scope,
        group,
        name,
        renamedFrom,
        externalIdChanged: change.externalId !== undefined,
        added,
        removed,
        // A rename changes the groups of everyone in it; a membership change, those it changed.
        people: [...new Set([...(renamedFrom !== null ? current : []), ...added, ...removed])],
        why,
      });
      settled.push({ ok: true, value: undefined });
    } catch (error) {
      if (!(error instanceof ScimError)) throw error;
      settled.push({ ok: false, error });
    }
  }
  const joined: { g: string; u: string }[] = [];
  const left: { g: string; u: string }[] = [];
  for (const [g, now] of members) {
    const was = before.get(g) ?? new Set<string>();
    for (const u of now) if (!was.has(u)) joined.push({ g, u });
    for (const u of was) if (!now.has(u)) left.push({ g, u });
  }
  await writeMemberships(tx, joined, left, [...touched]);
  return { changed, settled };
}

/** Memberships added and removed, and the groups whose members changed get a new meta.lastModified. */
async function writeMemberships(
  tx: Queryable,
  joined: readonly { g: string; u: string }[],
  left: readonly { g: string; u: string }[],
  touched: readonly string[],
) {
  const pair = { g: "uuid", u: "uuid" };
  for (let i = 0; i < Math.max(joined.length, left.length, touched.length > 0 ? 1 : 0); i += 5000) {
    const parts: SQL[] = [];
    const j = joined.slice(i, i + 5000);
    const l = left.slice(i, i + 5000);
    if (j.length > 0)
      parts.push(sql`joined as (insert into ${scimGroupMembers} (group_id, user_id)
        select g, u from ${jsonRows(j, pair, "v")} on conflict do nothing)`);
    if (l.length > 0)
      parts.push(sql`left_ as (delete from ${scimGroupMembers} m using ${jsonRows(l, pair, "v")}
        where m.group_id = v.g and m.user_id = v.u)`);
    if (i === 0 && touched.length > 0)
      parts.push(sql`touched as (update ${scimGroups} set updated_at = now() where ${inList(scimGroups.id, touched)})`);
    if (parts.length > 0) await tx.execute(sql`with ${sql.join(parts, sql`, `)} select 1`);
  }
}

/**
 * The shared part of group changes written in one transaction: everyone they affected through the one writer
 * of people's groups at once (a person changed by two of them gets both reasons), then each change's
 * scim.group_changed event with the role changes it caused, in one append (one lock of the chain's head).
 */
async function applyGroupChanges(tx: Queryable & AuditTx, scope: ScimScope, changes: readonly GroupChanged[]) {
  const why = new Map<string, string>();
  for (const c of changes)
    for (const id of c.people) {
      const before = why.get(id);
      why.set(id, before === undefined ? c.why : `${before}; ${c.why}`);
    }
  const roleEvents: AuditEvent[] = [];
  const applied = await applyPushedGroups(tx, scope, [...why.keys()], (id) => why.get(id) ?? "", roleEvents);
  const events: AuditEvent[] = [];
  for (const c of changes) {
    if (c.renamedFrom === null && c.added.size === 0 && c.removed.size === 0 && !c.externalIdChanged) continue;
    const sample = (ids: Set<string>) =>
      [...ids]
        .slice(0, SAMPLE)
        .map((id) => applied.labels.get(id) ?? id)
        .sort();
    const orphanedRules =
      c.renamedFrom !== null ? await rulesMatchingNoGroup(tx, scope.organization.id, [c.renamedFrom]) : [];
    events.push(
      auditEvent(
        "scim.group_changed",
        {
          displayName: c.name,
          renamedFrom: c.renamedFrom,
          added: c.added.size,
          removed: c.removed.size,
          addedPeople: sample(c.added),
          removedPeople: sample(c.removed),
          orphanedRules,
        },
        { ...who(c.scope), target: `scim_group:${c.group.id}`, targetLabel: c.name },
      ),
    );
  }
  if (events.length > 0 || roleEvents.length > 0) await appendAuditEvents(tx, [...events, ...roleEvents]);
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
    const members = (
      await tx
        .delete(scimGroupMembers)
        .where(eq(scimGroupMembers.groupId, group.id))
        .returning({ id: scimGroupMembers.userId })
    ).map((r) => r.id);
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
