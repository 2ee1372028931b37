import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { organizations } from "../db/schema";
import type { Connection } from "../config";
import { compileGroupsFilter, type GroupsFilter } from "../rbac";

const globalKey = Symbol.for("porter.organizationIds");
type WithIds = typeof globalThis & { [globalKey]?: Map<string, string> };
const ids = ((globalThis as WithIds)[globalKey] ??= new Map<string, string>());

/** The organization's id for a connection name, created on first use; remembered for the process. */
export async function organizationIdFor(db: Db, name: string): Promise<string> {
  const known = ids.get(name);
  if (known) return known;
  await db.insert(organizations).values({ name }).onConflictDoNothing();
  const [row] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.name, name));
  if (!row) throw new Error(`organization ${name} could not be created`);
  ids.set(name, row.id);
  return row.id;
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
