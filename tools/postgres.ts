/**
 * A PostgreSQL server from Debian's packages, in a directory of its own, for `npm run demo:cluster` and
 * the backup/restore test: found, initialised once, started and stopped with pg_ctl. PostgreSQL refuses
 * to run as root, so as root every command runs as the `postgres` user the package creates.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface LocalPostgres {
  bin: string;
  dataDir: string;
  port: number;
  /** The user the server runs as when we are root, else null (ourselves). */
  runAs: string | null;
  url(database: string): string;
}

/** The newest /usr/lib/postgresql/<version>/bin, or null with what to install. */
export function findPostgresBin(): string | null {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((v) => existsSync(path.join(base, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], "bin") : null;
}

export const POSTGRES_MISSING =
  "PostgreSQL's server programs are not installed (no /usr/lib/postgresql/*/bin/initdb). On Debian or Ubuntu: sudo apt-get install postgresql";

function runAsUser(): string | null {
  return os.userInfo().uid === 0 ? "postgres" : null;
}

/** Runs a PostgreSQL program (as `postgres` when we are root). Throws with its output when it fails. */
export function pgCommand(
  pg: Pick<LocalPostgres, "bin" | "runAs">,
  program: string,
  argv: string[],
  options: { check?: boolean } = {},
): { status: number; output: string } {
  const file = path.join(pg.bin, program);
  const result = pg.runAs
    ? spawnSync("runuser", ["-u", pg.runAs, "--", file, ...argv], { encoding: "utf8" })
    : spawnSync(file, argv, { encoding: "utf8" });
  const output = `${result.stdout}${result.stderr}`.trim();
  if ((options.check ?? true) && result.status !== 0)
    throw new Error(`${program} failed (${String(result.status)}): ${output}`);
  return { status: result.status ?? 1, output };
}

export function localPostgres(dataDir: string, port: number): LocalPostgres {
  const bin = findPostgresBin();
  if (!bin) throw new Error(POSTGRES_MISSING);
  return {
    bin,
    dataDir: path.resolve(dataDir),
    port,
    runAs: runAsUser(),
    url: (database) => `postgres://postgres@127.0.0.1:${String(port)}/${database}`,
  };
}

/** initdb on first use: trust authentication, reachable only on 127.0.0.1 and a socket in its own directory. */
export function initPostgres(pg: LocalPostgres): void {
  if (existsSync(path.join(pg.dataDir, "PG_VERSION"))) return;
  mkdirSync(pg.dataDir, { recursive: true, mode: 0o700 });
  if (pg.runAs) execFileSync("chown", ["-R", pg.runAs, pg.dataDir]);
  pgCommand(pg, "initdb", ["-D", pg.dataDir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-instructions"]);
}

function options(pg: LocalPostgres): string {
  return `-c listen_addresses=127.0.0.1 -p ${String(pg.port)} -k ${pg.dataDir}`;
}

export function postgresRunning(pg: LocalPostgres): boolean {
  return pgCommand(pg, "pg_ctl", ["-D", pg.dataDir, "status"], { check: false }).status === 0;
}

export function startPostgres(pg: LocalPostgres): void {
  const log = path.join(pg.dataDir, "server.log");
  pgCommand(pg, "pg_ctl", ["-D", pg.dataDir, "-w", "-t", "30", "-l", log, "-o", options(pg), "start"]);
}

export function stopPostgres(pg: LocalPostgres): void {
  pgCommand(pg, "pg_ctl", ["-D", pg.dataDir, "-w", "-m", "fast", "stop"], { check: false });
}

/** A restart as an operator does it (`pg_ctl restart -m fast`): connections are cut, the server is back in seconds. */
export function restartPostgres(pg: LocalPostgres): void {
  pgCommand(pg, "pg_ctl", [
    "-D",
    pg.dataDir,
    "-w",
    "-t",
    "30",
    "-m",
    "fast",
    "-l",
    path.join(pg.dataDir, "server.log"),
    "-o",
    options(pg),
    "restart",
  ]);
}

/** Makes a directory the postgres user can write (for dumps) when we are root. */
export function writableByPostgres(pg: LocalPostgres, dir: string): void {
  mkdirSync(dir, { recursive: true });
  if (pg.runAs) chownSync(dir, Number(execFileSync("id", ["-u", pg.runAs], { encoding: "utf8" }).trim()), 0);
}
