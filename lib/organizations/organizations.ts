import { getConnection, type Connection } from "../config";
import type { Queryable } from "../db/client";
import { organizations } from "../db/schema";
import type { RuleDefaults } from "./queries";
import { compileGroupsFilter, type GroupsFilter } from "../rbac";

const globalKey = Symbol.for("porter.organizationIds");
type WithIds = typeof globalThis & { [globalKey]?: Map<string, string> };
const ids = ((globalThis as WithIds)[globalKey] ??= new Map<string, string>());

/** Creates the organization if it is new; returns its id (one statement, safe when nodes race). */
export async function ensureOrganization(db: Queryable, name: string): Promise<string> {
  const [row] = await db
    .insert(organizations)
    .values({ name })
    .onConflictDoUpdate({ target: organizations.name, set: { name } })
    .returning({ id: organizations.id });
  if (!row) throw new Error(`organization ${name} could not be created`);
  return row.id;
}

/** The organization's id for a connection name, created on first use; remembered for the process. */
export async function organizationIdFor(db: Queryable, name: string): Promise<string> {
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

/**
 * One organization as the rest of porter sees it: its id, its name (the connection's), and what its
 * connection's configuration says about roles (break-glass groups, the configured groups filter).
 */
export interface Organization {
  readonly id: string;
  readonly name: string;
  readonly defaults: RuleDefaults;
}

/** The organization of a connection (created on first use). */
export async function organizationFor(
  db: Queryable,
  connection: Pick<Connection, "name" | "adminGroups" | "groupsAllow" | "groupsBlock"> &
    Partial<Pick<Connection, "groupsSource">>,
): Promise<Organization> {
  const { name, adminGroups, groupsAllow, groupsBlock, groupsSource } = connection;
  return {
    id: await organizationIdFor(db, name),
    name,
    defaults: { adminGroups, groupsAllow, groupsBlock, ...(groupsSource ? { groupsSource } : {}) },
  };
}

/**
 * The organization of a connection name from the configuration. A name no longer configured (a session of
 * a removed connection) has no break-glass groups and the default filter: nothing is granted by config.
 */
export async function organizationNamed(db: Queryable, name: string): Promise<Organization> {
  return organizationFor(
    db,
    getConnection(name) ?? { name, adminGroups: [], groupsAllow: ".*", groupsBlock: undefined },
  );
}
