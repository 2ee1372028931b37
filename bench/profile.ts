import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import path from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a sampled frame's time goes, in the words of the closing note. */
function categoryOf(url: string, name: string): string {
  if (url.startsWith("wasm://")) return "PGlite: PostgreSQL compiled to WebAssembly (the SQL itself)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg === "@electric-sql/pglite") return "PGlite: its JavaScript (protocol, file system calls)";
  if (pkg === "next" || pkg === "react" || pkg === "react-dom") return "Next.js and React";
  if (pkg) return pkg;
  if (url.includes("/.next/server/")) return "porter's code and the libraries bundled with it (.next)";
  if (url.includes("/dist/serve.mjs")) return "porter's server (dist/serve.mjs)";
  if (/^file:\/\/.*\/(lib|bench)\//.test(url)) return "porter's code (lib/, in this process)";
  if (url.startsWith("node:")) return "Node.js (HTTP, streams, crypto, async hooks)";
  if (name === "(garbage collector)") return "garbage collection";
  if (name === "(idle)" || name === "(program)") return "idle or outside JavaScript";
  return "native (file system calls, crypto, compression)";
}

/** Profiles `run` in this process (node:inspector) and prints where its time went (printProfile). */
export async function profileInProcess(label: string, run: () => Promise<unknown>, top = 6): Promise<void> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  const started = performance.now();
  try {
    await run();
  } finally {
    const wall = performance.now() - started;
    const { profile } = await session.post("Profiler.stop");
    session.disconnect();
    const file = path.join(tmpdir(), `porter-bench-${String(process.pid)}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    printProfile(file, `${label} (${wall.toFixed(0)} ms of wall time; the rest of it this process waited)`, top);
    rmSync(file, { force: true });
  }
}

/**
 * The shares of CPU time in a V8 CPU profile by where the time goes, and the functions with the most self
 * time: printed by the bench next to a target it misses.
 */
export function printProfile(file: string, label: string, top = 6): void {
  if (!existsSync(file)) {
    console.log(`  (no CPU profile for ${label}: ${path.basename(file)} was not written)`);
    return;
  }
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  // The profiler's own work (writing the profile at the window's end) is not the node's.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const isProfiler = (id: number): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
      if (byId.get(at)?.callFrame.url.endsWith("cpu-profile.mjs")) return true;
    return false;
  };
  const busy = [...self.entries()].filter(
    ([id]) => byId.get(id)?.callFrame.functionName !== "(idle)" && !isProfiler(id),
  );
  const total = busy.reduce((a, [, t]) => a + t, 0);
  const categories = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, t] of busy) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const category = categoryOf(frame.url, frame.functionName);
    categories.set(category, (categories.get(category) ?? 0) + t);
    const where = frame.url ? `${frame.url.split("/").slice(-2).join("/")}:${String(frame.lineNumber + 1)}` : "native";
    const key = `${frame.functionName || "(anonymous)"} (${where})`;
    functions.set(key, (functions.get(key) ?? 0) + t);
  }
  const pct = (t: number) => `${((t / total) * 100).toFixed(0)}%`;
  console.log(`  CPU profile of ${label}: ${(total / 1000).toFixed(0)} ms busy`);
  for (const [category, t] of [...categories.entries()].sort((a, b) => b[1] - a[1]).slice(0, 7))
    console.log(`    ${pct(t).padStart(4)}  ${category}`);
  console.log("    functions with the most self time:");
  for (const [fn, t] of [...functions.entries()].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`      ${pct(t).padStart(4)}  ${fn}`);
}
