import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import pg from "pg";
import type { DatabaseConfig } from "../config";
import * as schema from "./schema";
import { openPglite } from "./pglite-client";
import { OWNER_FILE, pgliteLocation, pgliteOwner } from "./pglite-directory";
import { pgliteNotifications, postgresNotifications, type Notifications } from "./notifications";
import { isDatabaseUnavailable } from "./unavailable";

export { pgliteLocation, pgliteOwner };

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** Anything that runs statements: the database or a transaction. */
export type Queryable = Pick<Db, "select" | "insert" | "update" | "delete" | "execute">;

export interface DbHandle {
  db: Db;
  kind: DatabaseConfig["kind"];
  ping(): Promise<void>;
  close(): Promise<void>;
}

// On globalThis: Next.js bundles this module more than once (instrumentation, route handlers, pages), and
// each copy must find the notifications of the one database the process opened.
const notificationsKey = Symbol.for("porter.db.notifications");
type WithNotifications = typeof globalThis & { [notificationsKey]?: WeakMap<Db, Notifications> };
const notificationsByDb = ((globalThis as WithNotifications)[notificationsKey] ??= new WeakMap<Db, Notifications>());

/** What the database announces (NOTIFY) to this process, for a database opened by openDatabase; else null. */
export function notificationsFor(db: Db): Notifications | null {
  return notificationsByDb.get(db) ?? null;
}

const MIGRATIONS_FOLDER = path.join(process.cwd(), "lib/db/migrations");
/** Any constant shared by every app node: only one node migrates at a time. */
const MIGRATION_LOCK_KEY = 727_001;

/** How long a new connection is retried while PostgreSQL refuses it (a restart takes about a second). */
const CONNECT_RETRY_MS = 3_000;

/**
 * A pg pool whose new connections ride out a database restart: a connection refused (or "starting up") is
 * retried for up to CONNECT_RETRY_MS before the request fails. Safe: nothing was sent on a connection that
 * never opened. A query cut off mid-flight is not retried; it fails and its request gets 503.
 */
class ResilientPool extends pg.Pool {
  override connect(): Promise<pg.PoolClient>;
  override connect(
    callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void,
  ): void;
  override connect(
    callback?: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void,
  ): Promise<pg.PoolClient> | void {
    const attempt = async (): Promise<pg.PoolClient> => {
      const deadline = Date.now() + CONNECT_RETRY_MS;
      for (let wait = 100; ; wait = Math.min(wait * 2, 800)) {
        try {
          return await super.connect();
        } catch (err) {
          if (!isDatabaseUnavailable(err) || Date.now() + wait > deadline) throw err;
          await new Promise((r) => setTimeout(r, wait));
        }
      }
    };
    if (!callback) return attempt();
    attempt().then(
      (client) => {
        callback(undefined, client, (release) => {
          client.release(release as boolean | Error | undefined);
        });
      },
      (err: unknown) => {
        callback(err instanceof Error ? err : new Error(String(err)), undefined, () => undefined);
      },
    );
  }
}

/** Opens the database and applies pending migrations. `dataDir: "memory://"` gives a throwaway PGlite. */
export async function openDatabase(config: DatabaseConfig): Promise<DbHandle> {
  if (config.kind === "pglite") {
    const location = config.dataDir === "memory://" ? "memory://" : pgliteLocation(config.dataDir);
    if (location !== "memory://") {
      mkdirSync(location, { recursive: true });
      const owner = pgliteOwner(location);
      if (owner !== null) {
        throw new Error(
          `The embedded database ${location} is in use by process ${String(owner)}. Stop it first, or use PostgreSQL (DATABASE_URL) to share a database.`,
        );
      }
      writeFileSync(path.join(location, OWNER_FILE), String(process.pid));
    }
    const { client, forDrizzle } = await openPglite(location);
    const pglite = drizzlePglite({ client: forDrizzle, schema });
    await migratePglite(pglite, { migrationsFolder: MIGRATIONS_FOLDER });
    const db = pglite as unknown as Db;
    const notifications = pgliteNotifications(client);
    notificationsByDb.set(db, notifications);
    return {
      db,
      kind: "pglite",
      ping: async () => {
        await client.query("select 1");
      },
      close: async () => {
        await notifications.close();
        await client.close();
        if (location !== "memory://") rmSync(path.join(location, OWNER_FILE), { force: true });
      },
    };
  }
  const pool = new ResilientPool({ connectionString: config.url, max: 10, connectionTimeoutMillis: 5_000 });
  // An idle connection cut by a database restart: the pool drops it and opens a new one when needed.
  pool.on("error", () => undefined);
  // A connection cut while checked out but between statements (a transaction awaiting the next one): its
  // next statement fails and the request answers 503; without a listener the cut itself would be an
  // uncaught exception.
  pool.on("connect", (client) => {
    client.on("error", () => undefined);
  });
  // Migrations run as the tables' owner when one is given (DATABASE_MIGRATION_URL), so the role porter runs
  // as may hold only SELECT and INSERT on the audit log and can never drop its triggers.
  const owner = config.migrationUrl ? new pg.Pool({ connectionString: config.migrationUrl, max: 1 }) : pool;
  const lockClient = await owner.connect();
  try {
    await lockClient.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await migratePg(drizzlePg({ client: lockClient, schema }), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await lockClient.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
    lockClient.release();
    if (owner !== pool) await owner.end();
  }
  const db = drizzlePg({ client: pool, schema }) as unknown as Db;
  const notifications = postgresNotifications(config.url);
  notificationsByDb.set(db, notifications);
  return {
    db,
    kind: "postgres",
    ping: async () => {
      await pool.query("select 1");
    },
    close: async () => {
      await notifications.close();
      await pool.end();
    },
  };
}
