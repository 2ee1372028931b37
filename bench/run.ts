/**
 * npm run bench: every number next to a baseline measured in the same run, as a ratio.
 * Run with the react-server condition so server-only modules load outside Next.js.
 */
import os from "node:os";
import { benchBearer } from "./bearer";
import { benchHttp } from "./http";
import { benchMapping } from "./mapping";

console.log(`porter benchmarks · Node ${process.version} · ${String(os.cpus().length)} CPUs · ${new Date().toISOString()}`);
benchMapping();
await benchBearer();
await benchHttp();
process.exit(0);
