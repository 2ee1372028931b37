/**
 * What `npm run demo` and `npm run demo:cluster` share: building porter when its sources changed, the
 * demo's session secret, waiting for a URL, and running child processes that all stop together.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { demoConnections, demoPorterEnv, type DemoUrls } from "./env";

export const root = path.resolve(import.meta.dirname, "..");
/**
 * Node with tsx's loader, in one process (tsx's CLI would run the script in a child, which a signal to the
 * parent does not reach: a fault test's SIGKILL must kill the server itself).
 */
export const tsx = ["--import", "tsx"];
/**
 * porter's own server, as `npm start` runs it: server/serve.ts compiled to dist/serve.mjs (by buildIfStale),
 * Next.js plus the socket peer's address and a graceful stop. Nothing is compiled when a node starts.
 */
export const serve = [path.join(root, "dist/serve.mjs")];

/** The variables whose value was given (a flag left out sets nothing, so porter's default applies). */
export function given(vars: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(vars).filter((e): e is [string, string] => e[1] !== undefined));
}

/** devidp's environment for a demo: where it listens, its data, the porter URLs its apps call back to. */
export function devidpEnv(o: {
  port: number;
  url: string;
  dataDir: string;
  appUrls: { eu: string; us: string };
  extraUsers?: string | undefined;
}): Record<string, string> {
  return {
    DEVIDP_PORT: String(o.port),
    DEVIDP_URL: o.url,
    DEVIDP_DATA_DIR: path.join(o.dataDir, "devidp"),
    APP_URL_EU: o.appUrls.eu,
    APP_URL_US: o.appUrls.us,
    ...given({ DEVIDP_EXTRA_USERS: o.extraUsers }),
  };
}

/** Writes the demo's further organizations (secrets by variable name, never in the file); returns its path. */
export function writeConnectionsFile(dataDir: string, issuer: string): string {
  const file = path.join(dataDir, "connections.json");
  writeFileSync(file, JSON.stringify(demoConnections(issuer), null, 2));
  return file;
}

/** A demo porter process's environment: the demo's organizations and secrets, production mode, the seed. */
export function porterEnv(o: {
  urls: DemoUrls;
  region: "eu" | "us";
  dataDir: string;
  porterDataDir: string;
  connectionsFile: string;
}): Record<string, string> {
  return {
    ...demoPorterEnv(o.urls, o.region),
    NODE_ENV: "production",
    AUTH_SECRET: demoSecret(o.dataDir),
    DATA_DIR: o.porterDataDir,
    ORG_SEED_FILE: path.join(root, "demo/org-seed.json"),
    CONNECTIONS_FILE: o.connectionsFile,
  };
}

export function demoSecret(dataDir: string): string {
  const file = path.join(dataDir, "auth-secret");
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(full));
    else newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

export function buildIfStale(): void {
  const buildId = path.join(root, ".next", "BUILD_ID");
  const sources = ["app", "lib", "components", "public", "server"].map((d) => path.join(root, d)).filter(existsSync);
  const newest = Math.max(
    ...sources.map(newestSourceMtime),
    ...["next.config.ts", "proxy.ts", "instrumentation.ts", "package-lock.json"].map(
      (f) => statSync(path.join(root, f)).mtimeMs,
    ),
  );
  const server = path.join(root, "dist", "serve.mjs");
  if (existsSync(buildId) && statSync(buildId).mtimeMs > newest && existsSync(server)) return;
  console.log("demo: building porter (first run or sources changed)...");
  for (const step of [
    [path.join(root, "node_modules/next/dist/bin/next"), "build"],
    [path.join(root, "tools/build-server.mjs")],
  ]) {
    const result = spawnSync(process.execPath, step, { cwd: root, stdio: "inherit" });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
}

export async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not come up within ${String(timeoutMs / 1000)} s`);
}

export interface Supervised {
  name: string;
  child: ChildProcess;
  /** Set before stopping it on purpose (a fault test, a restart): its exit then stops nothing else. */
  expectExit: boolean;
  /** Times it was restarted after dying on its own. */
  restarts: number;
}

/** What happens when a child exits on its own: restart it (with back-off), or stop everything. */
export interface RunOptions {
  /** `stdout`: inherit, ignore, or a file to append it to (a node's JSON log). */
  stdout?: "inherit" | "ignore" | { file: string };
  /**
   * Restart it when it dies (a crash, `kill -9`, the OOM killer) after 1 s, doubling up to 30 s while it
   * keeps dying within a minute of its start. Without it, its death stops everything (a part the rest
   * cannot work without, like the proxy).
   */
  restart?: boolean;
  /** Runs after each restart (e.g. re-registering what the part forgot). */
  afterRestart?: () => Promise<void>;
}

const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;
/** A child that stayed up this long is healthy again: its next death restarts it after the first back-off. */
const STABLE_MS = 60_000;

/**
 * Child processes that stop together: Ctrl+C (or SIGTERM) stops every one. A child that exits on its own
 * is restarted with back-off when it was started with `restart` (an app node: the cluster exists to show
 * porter survives a node's death), else it stops the rest; one stopped on purpose stops nothing. `onStop`
 * runs last (e.g. stopping a daemon).
 */
export function createSupervisor(label: string, onStop: () => void = () => undefined) {
  const children = new Map<string, Supervised>();
  const pendingRestarts = new Map<string, NodeJS.Timeout>();
  let shuttingDown = false;
  function shutdown(code: number): void {
    if (shuttingDown) return;
    shuttingDown = true;
    for (const timer of pendingRestarts.values()) clearTimeout(timer);
    for (const s of children.values()) {
      s.expectExit = true;
      s.child.kill("SIGTERM");
    }
    const waitAll = Promise.all(
      [...children.values()].map((s) =>
        s.child.exitCode !== null || s.child.signalCode !== null
          ? Promise.resolve()
          : new Promise((r) => s.child.once("exit", r)),
      ),
    );
    const force = setTimeout(() => {
      for (const s of children.values()) s.child.kill("SIGKILL");
    }, 12_000);
    void waitAll.then(() => {
      clearTimeout(force);
      onStop();
      process.exit(code);
    });
  }
  process.on("SIGINT", () => {
    shutdown(0);
  });
  process.on("SIGTERM", () => {
    shutdown(0);
  });

  function run(
    name: string,
    command: string,
    argv: string[],
    env: Record<string, string>,
    options: RunOptions = {},
    history: { restarts: number; backoffMs: number } = { restarts: 0, backoffMs: FIRST_BACKOFF_MS },
  ): Supervised {
    const pending = pendingRestarts.get(name);
    if (pending) clearTimeout(pending);
    pendingRestarts.delete(name);
    const stdout = options.stdout ?? "inherit";
    const out = typeof stdout === "string" ? stdout : openSync(stdout.file, "a");
    const child = spawn(command, argv, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", out, "inherit"],
    });
    const startedAt = Date.now();
    const entry: Supervised = { name, child, expectExit: false, restarts: history.restarts };
    child.on("exit", (code, signal) => {
      if (typeof out === "number") closeSync(out);
      if (shuttingDown || entry.expectExit || children.get(name) !== entry) return;
      const why = String(code ?? signal);
      if (!options.restart) {
        console.error(`${label}: ${name} exited (${why}); stopping`);
        shutdown(code ?? 1);
        return;
      }
      const backoffMs = Date.now() - startedAt >= STABLE_MS ? FIRST_BACKOFF_MS : history.backoffMs;
      console.error(
        `${label}: ${name} exited (${why}); restarting it in ${String(backoffMs / 1000)} s (restart ${String(history.restarts + 1)})`,
      );
      pendingRestarts.set(
        name,
        setTimeout(() => {
          pendingRestarts.delete(name);
          if (shuttingDown) return;
          run(name, command, argv, env, options, {
            restarts: history.restarts + 1,
            backoffMs: Math.min(backoffMs * 2, MAX_BACKOFF_MS),
          });
          options.afterRestart?.().catch((err: unknown) => {
            console.error(`${label}: after restarting ${name}: ${err instanceof Error ? err.message : String(err)}`);
          });
        }, backoffMs),
      );
    });
    children.set(name, entry);
    return entry;
  }

  return {
    run(name: string, command: string, argv: string[], env: Record<string, string>, options: RunOptions = {}) {
      return run(name, command, argv, env, options);
    },
    get(name: string): Supervised | undefined {
      return children.get(name);
    },
    shutdown,
    get shuttingDown() {
      return shuttingDown;
    },
  };
}
