import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/client";

/** The database or a transaction. */
type Tx = Pick<Db, "select" | "update">;
import { services, teams, type ServiceLifecycle } from "../db/schema";

export interface Service {
  id: string;
  name: string;
  description: string;
  lifecycle: ServiceLifecycle;
  ownerTeam: string;
  updatedAt: string;
  updatedBy: string | null;
}

const columns = {
  id: services.id,
  name: services.name,
  description: services.description,
  lifecycle: services.lifecycle,
  ownerTeam: teams.name,
  updatedAt: services.updatedAt,
  updatedBy: services.updatedBy,
};

const toService = (row: { updatedAt: Date } & Omit<Service, "updatedAt">): Service => ({
  ...row,
  updatedAt: row.updatedAt.toISOString(),
});

/** Every service of one organization (never another's), by name. */
export async function listServices(db: Db, organizationId: string): Promise<Service[]> {
  const rows = await db
    .select(columns)
    .from(services)
    .innerJoin(teams, eq(teams.id, services.ownerTeamId))
    .where(eq(services.organizationId, organizationId))
    .orderBy(asc(services.name));
  return rows.map(toService);
}

/**
 * One service, only if it belongs to the organization: another organization's id is "not found".
 * `forUpdate` locks its row until the transaction ends (the edit check and the write see the same owner).
 */
export async function getService(
  db: Tx,
  organizationId: string,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<Service | null> {
  // Lock the service row alone first: with the join locked in one statement, PostgreSQL re-checks a row
  // changed meanwhile against the old team row and would drop it ("not found" instead of the new owner).
  if (options.forUpdate)
    await db
      .select({ id: services.id })
      .from(services)
      .where(and(eq(services.organizationId, organizationId), eq(services.id, id)))
      .for("update");
  const [row] = await db
    .select(columns)
    .from(services)
    .innerJoin(teams, eq(teams.id, services.ownerTeamId))
    .where(and(eq(services.organizationId, organizationId), eq(services.id, id)));
  return row ? toService(row) : null;
}

export async function findTeamId(db: Tx, organizationId: string, name: string): Promise<string | null> {
  const [row] = await db
    .select({ id: teams.id })
    .from(teams)
    .where(and(eq(teams.organizationId, organizationId), eq(teams.name, name)));
  return row?.id ?? null;
}

export async function listTeamNames(db: Db, organizationId: string): Promise<string[]> {
  const rows = await db
    .select({ name: teams.name })
    .from(teams)
    .where(eq(teams.organizationId, organizationId))
    .orderBy(asc(teams.name));
  return rows.map((r) => r.name);
}

export async function writeService(
  db: Tx,
  organizationId: string,
  id: string,
  patch: {
    description?: string | undefined;
    lifecycle?: ServiceLifecycle | undefined;
    ownerTeamId?: string | undefined;
  },
  actor: string,
): Promise<void> {
  await db
    .update(services)
    .set({ ...patch, updatedAt: new Date(), updatedBy: actor })
    .where(and(eq(services.organizationId, organizationId), eq(services.id, id)));
}
