/*
 * Loaded by `npm run bench -- node` into the demo's processes (NODE_OPTIONS=--import). Active in the app
 * node only (dist/serve.mjs) and only with BENCH_CPU_PROFILE_DIR set: the node writes its pid there; a
 * SIGUSR2 starts a CPU profile, the next SIGUSR2 writes it there as profile-<n>.cpuprofile.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import path from "node:path";

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir && process.argv.some((arg) => arg.endsWith("serve.mjs"))) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 250 });
  let running = false;
  let written = 0;
  process.on("SIGUSR2", () => {
    if (!running) {
      running = true;
      session.post("Profiler.start");
      return;
    }
    running = false;
    session.post("Profiler.stop", (err, result) => {
      if (err) return;
      written += 1;
      writeFileSync(path.join(dir, `profile-${String(written)}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
  writeFileSync(path.join(dir, "app.pid"), String(process.pid));
}
