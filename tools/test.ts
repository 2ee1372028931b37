/**
 * `npm test`: every suite, in the order that fails fastest, on both databases.
 *
 * 1. tools/system-packages.sh: Chromium, PostgreSQL's server and nginx are there, or are installed (as
 *    root or with password-less sudo on Debian/Ubuntu), or the run stops at once with the command to run.
 * 2. PostgreSQL for the database tests: TEST_DATABASE_URL when it is set; otherwise a throwaway server of
 *    our own (a new data directory, a free port on 127.0.0.1), stopped and deleted at the end, also when a
 *    suite fails or the run is interrupted.
 * 3. lint, format:check, typecheck, test:unit, test:e2e, test:e2e:cluster; the first failure ends the run
 *    with its exit code.
 *
 *   npm test                      everything
 *   npm test -- unit e2e          only these steps (names without "test:"), still with the setup
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import {
  findPostgresBin,
  initPostgres,
  localPostgres,
  pgCommand,
  startPostgres,
  stopPostgres,
  writableByPostgres,
  type LocalPostgres,
} from "./postgres";

const root = path.resolve(import.meta.dirname, "..");
const STEPS = ["lint", "format:check", "typecheck", "test:unit", "test:e2e", "test:e2e:cluster"] as const;

function chosenSteps(argv: readonly string[]): string[] {
  if (argv.length === 0) return [...STEPS];
  const chosen = argv.map((a) => (STEPS.includes(a as (typeof STEPS)[number]) ? a : `test:${a}`));
  const unknown = chosen.filter((s) => !STEPS.includes(s as (typeof STEPS)[number]));
  if (unknown.length > 0) {
    console.error(`npm test: unknown step(s) ${unknown.join(", ")}; the steps are ${STEPS.join(", ")}`);
    process.exit(2);
  }
  return chosen;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

/** A PostgreSQL server that lives as long as this run: its own directory under the system's temp folder. */
async function throwawayPostgres(): Promise<{ url: string; stop: () => void }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "porter-test-pg-"));
  const pg: LocalPostgres = localPostgres(path.join(dir, "data"), await freePort());
  // As root the server runs as `postgres`, which must be able to reach its directory.
  writableByPostgres(pg, dir);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    stopPostgres(pg);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    initPostgres(pg);
    startPostgres(pg);
    pgCommand(pg, "createdb", ["-h", "127.0.0.1", "-p", String(pg.port), "-U", "postgres", "porter_test"]);
  } catch (err) {
    stop();
    throw err;
  }
  return { url: pg.url("porter_test"), stop };
}

const steps = chosenSteps(process.argv.slice(2));
const setup = spawnSync("bash", [path.join(root, "tools/system-packages.sh")], { stdio: "inherit" });
if (setup.status !== 0) process.exit(setup.status ?? 1);

const env = { ...process.env };
let stop: () => void = () => undefined;
if (!env.TEST_DATABASE_URL && findPostgresBin() && steps.includes("test:unit")) {
  const pg = await throwawayPostgres();
  stop = pg.stop;
  env.TEST_DATABASE_URL = pg.url;
  console.log(`npm test: a throwaway PostgreSQL for the database tests at ${pg.url} (stopped at the end)`);
}
let running: ChildProcess | null = null;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    running?.kill(signal);
    stop();
    process.exit(130);
  });
}

function run(step: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", step], { cwd: root, env, stdio: "inherit" });
    running = child;
    child.once("exit", (status, signal) => {
      running = null;
      resolve(status ?? (signal ? 128 : 1));
    });
  });
}

let code = 0;
try {
  for (const step of steps) {
    code = await run(step);
    if (code !== 0) {
      console.error(`npm test: ${step} failed (exit ${String(code)})`);
      break;
    }
  }
} finally {
  stop();
}
process.exit(code);
