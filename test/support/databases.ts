import { readRawEnv } from "../../lib/config/raw-env";
import type { DatabaseConfig } from "../../lib/config";

/** Every database the DB tests run against: embedded PGlite always, PostgreSQL when TEST_DATABASE_URL is set (CI). */
export function testDatabases(): [string, DatabaseConfig][] {
  const url = readRawEnv("TEST_DATABASE_URL");
  const list: [string, DatabaseConfig][] = [["pglite", { kind: "pglite", dataDir: "memory://" }]];
  if (url) list.push(["postgres", { kind: "postgres", url }]);
  return list;
}
