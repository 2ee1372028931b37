/**
 * npm run bench [-- NAME ...]: every number next to a baseline measured in the same run, as a ratio.
 * Names: mapping, bearer, http, live (live group state on the real demo: about 4 minutes), audit (the audit
 * console at scale: minutes; BENCH_USERS, BENCH_AUDIT_EVENTS, BENCH_DATABASE_URL), load (demo:cluster, 3 nodes vs 1,
 * under 200 concurrent sign-ins and a minute of mixed traffic: about 5 minutes), scim (SCIM latency on the demo,
 * Push Groups of 10,000, a provisioning burst, 100,000 provisioned people: minutes), signals (the one revocation
 * path per signal on the demo: two minutes), node (one node's session check, /api/me, throughput against a
 * bare route, start until ready, memory after warm-up and over a soak: BENCH_SOAK_SECONDS, default 60). No
 * name runs them all.
 * --json: after the run, every figure again as one JSON document.
 * Run with the react-server condition so server-only modules load outside Next.js.
 */
import os from "node:os";
import { benchAudit } from "./audit";
import { benchLoad } from "./cluster-load";
import { benchBearer } from "./bearer";
import { benchHttp } from "./http";
import { benchLive } from "./live";
import { benchMapping } from "./mapping";
import { benchNode } from "./node";
import { benchScim } from "./scim";
import { benchSignals } from "./signals";
import { figures } from "./stats";

const BENCHES: Record<string, () => unknown> = {
  mapping: benchMapping,
  bearer: benchBearer,
  http: benchHttp,
  live: benchLive,
  audit: benchAudit,
  load: benchLoad,
  scim: benchScim,
  signals: benchSignals,
  node: benchNode,
};
const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const unknown = wanted.filter((w) => !(w in BENCHES));
if (unknown.length > 0) {
  console.error(`unknown bench ${unknown.join(", ")}; known: ${Object.keys(BENCHES).join(", ")}`);
  process.exit(2);
}
console.log(
  `porter benchmarks · Node ${process.version} · ${String(os.cpus().length)} CPUs · ${new Date().toISOString()}`,
);
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHES)) await BENCHES[name]?.();
if (process.argv.includes("--json"))
  console.log(
    JSON.stringify({ node: process.version, cpus: os.cpus().length, at: new Date().toISOString(), figures }, null, 2),
  );
process.exit(0);
