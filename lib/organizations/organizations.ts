import type { Db } from "../db/client";
import { organizations } from "../db/schema";
import type { Connection } from "../config";
import { compileGroupsFilter, type GroupsFilter } from "../rbac";

const globalKey = Symbol.for("porter.organizationIds");
type WithIds = typeof globalThis & { [globalKey]?: Map<string, string> };
const ids = ((globalThis as WithIds)[globalKey] ??= new Map<string, string>());

/** Creates the organization if it is new; returns its id (one statement, safe when nodes race). */
export async function ensureOrganization(db: Db, name: string): Promise<string> {
  const [row] = await db
    .insert(organizations)
    .values({ name })
    .onConflictDoUpdate({ target: organizations.name, set: { name } })
    .returning({ id: organizations.id });
  if (!row) throw new Error(`organization ${name} could not be created`);
  return row.id;
}

/** The organization's id for a connection name, created on first use; remembered for the process. */
export async function organizationIdFor(db: Db, name: string): Promise<string> {
  const known = ids.get(name);
  if (known) return known;
  const id = await ensureOrganization(db, name);
  ids.set(name, id);
  return id;
}

const filters = new Map<string, GroupsFilter>();

/** The connection's app-side groups filter, compiled once. */
export function groupsFilterFor(connection: Pick<Connection, "groupsAllow" | "groupsBlock">): GroupsFilter {
  const key = `${connection.groupsAllow}\u0000${connection.groupsBlock ?? ""}`;
  let filter = filters.get(key);
  if (!filter) {
    filter = compileGroupsFilter({ allow: connection.groupsAllow, block: connection.groupsBlock });
    filters.set(key, filter);
  }
  return filter;
}
