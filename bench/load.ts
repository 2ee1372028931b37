/**
 * Load generator, run as its own process so it does not share the server's CPU:
 *   tsx bench/load.ts URL TOKEN|cookie:COOKIE|- DURATION_MS CONNECTIONS  -> prints {"requests":n,"seconds":s,"errors":e}
 */
import { Pool } from "undici";

const [url = "", token = "-", durationArg = "3000", connectionsArg = "8"] = process.argv.slice(2);
const target = new URL(url);
const pool = new Pool(target.origin, { connections: Number(connectionsArg), pipelining: 1 });
const headers: Record<string, string> =
  token === "-" ? {} : token.startsWith("cookie:") ? { cookie: token.slice(7) } : { authorization: `Bearer ${token}` };
const deadline = Date.now() + Number(durationArg);
let requests = 0;
let errors = 0;
const start = performance.now();

async function worker(): Promise<void> {
  while (Date.now() < deadline) {
    const res = await pool.request({ path: target.pathname, method: "GET", headers });
    await res.body.text();
    if (res.statusCode === 200) requests++;
    else errors++;
  }
}

await Promise.all(Array.from({ length: Number(connectionsArg) }, () => worker()));
const seconds = (performance.now() - start) / 1000;
await pool.close();
process.stdout.write(JSON.stringify({ requests, seconds, errors }));
