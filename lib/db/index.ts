import "server-only";
import { getConfig } from "../config";
import { openDatabase, type DbHandle } from "./client";

export { openDatabase, type Db, type DbHandle } from "./client";
export * as schema from "./schema";

const globalKey = Symbol.for("porter.db");
type WithDb = typeof globalThis & { [globalKey]?: Promise<DbHandle> };

/**
 * The process's database, opened once (shared by every bundle Next.js makes: two PGlite instances on
 * one data directory would corrupt it). A failed open is not cached, so the next call retries.
 */
export function getDbHandle(): Promise<DbHandle> {
  const g = globalThis as WithDb;
  if (!g[globalKey]) {
    const opening = openDatabase(getConfig().database);
    g[globalKey] = opening;
    opening.catch(() => {
      if (g[globalKey] === opening) g[globalKey] = undefined;
    });
  }
  return g[globalKey];
}

export async function getDb(): Promise<DbHandle["db"]> {
  return (await getDbHandle()).db;
}
