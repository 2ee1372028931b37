import { readRawEnv } from "../../lib/config/raw-env";
import { afterAll, beforeAll } from "vitest";
import type { DatabaseConfig } from "../../lib/config";
import { openDatabase, type DbHandle } from "../../lib/db/client";

/** Every database the DB tests run against: embedded PGlite always, PostgreSQL when TEST_DATABASE_URL is set (CI). */
export function testDatabases(): [string, DatabaseConfig][] {
  const url = readRawEnv("TEST_DATABASE_URL");
  const list: [string, DatabaseConfig][] = [["pglite", { kind: "pglite", dataDir: "memory://" }]];
  if (url) list.push(["postgres", { kind: "postgres", url }]);
  return list;
}

/**
 * The database of one describe block: opened (and migrated) before its tests, closed after them. Read
 * `handle.db` inside tests and hooks, not while the block is being defined.
 */
export function useTestDatabase(config: DatabaseConfig): Pick<DbHandle, "db" | "kind"> {
  let open: DbHandle | undefined;
  beforeAll(async () => {
    open = await openDatabase(config);
  });
  afterAll(async () => {
    await open?.close();
  });
  const current = (): DbHandle => {
    if (!open) throw new Error("the test database is opened in beforeAll: use it inside a test or hook");
    return open;
  };
  return {
    get db() {
      return current().db;
    },
    get kind() {
      return current().kind;
    },
  };
}
