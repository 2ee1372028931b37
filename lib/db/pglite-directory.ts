import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export const OWNER_FILE = "porter.pid";

/** The live process that has this PGlite directory open, or null. PGlite is single-process: two would corrupt it. */
export function pgliteOwner(location: string): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(location, OWNER_FILE), "utf8").trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null; // a stale file from a process that has exited
  }
}

export function pgliteLocation(dataDir: string): string {
  return path.resolve(dataDir, "pglite");
}

// On globalThis: porter's server starts the creation before Next.js loads (server/serve.ts), and the copy of
// this module in Next.js's bundle, which opens the database, waits for that same creation.
const key = Symbol.for("porter.db.pgliteCreation");
type WithCreations = typeof globalThis & { [key]?: Map<string, Promise<void>> };
const creations = ((globalThis as WithCreations)[key] ??= new Map<string, Promise<void>>());

/**
 * Creates a new embedded data directory in a process of its own (lib/db/pglite-init.mjs), once per
 * location; resolves at once when it exists. PGlite's initdb grows the WebAssembly heap to about 900 MB
 * and a heap never shrinks, so run in the node itself it would keep that for its whole life (measured:
 * 911 MB after a first start, 441 MB with this).
 */
export function initializePglite(location: string): Promise<void> {
  if (location === "memory://" || existsSync(path.join(location, "PG_VERSION"))) return Promise.resolve();
  let creation = creations.get(location);
  if (!creation) {
    creation = createApart(location);
    creations.set(location, creation);
    creation.catch(() => creations.delete(location));
  }
  return creation;
}

async function createApart(location: string): Promise<void> {
  const script = path.join(process.cwd(), "lib/db/pglite-init.mjs");
  const stderr: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [script, location], { stdio: ["ignore", "ignore", "pipe"] });
    child.stderr.on("data", (d: Buffer) => stderr.push(d));
    child.on("error", reject);
    child.on("exit", resolve);
  });
  if (code !== 0)
    throw new Error(
      `Creating the embedded database ${location} failed (exit ${String(code)}): ${Buffer.concat(stderr).toString().slice(-500)}`,
    );
}
