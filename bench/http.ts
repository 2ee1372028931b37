import { execFile } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { line, ratio } from "./stats";
import { startJwksIssuer } from "./support";

const run = promisify(execFile);

/**
 * Requests/s of GET /api/v1/services with a valid bearer token (the real route handler: verification,
 * groups -> roles, permission check, query) against the same handler body with auth skipped, in one
 * server on loopback. The load comes from a separate process; runs alternate to cancel drift.
 */
export async function benchHttp(): Promise<{ ratio: number }> {
  const idp = await startJwksIssuer();
  Object.assign(process.env, {
    AUTH_SECRET: "bench-secret-bench-secret-bench-secret-0",
    APP_REGION: "eu",
    APP_URL_EU: "http://localhost:3999",
    APP_URL_US: "http://localhost:3998",
    OKTA_CONNECTION_NAME: "acme",
    OKTA_ISSUER: idp.issuer,
    OKTA_CLIENT_ID: "porter-eu",
    OKTA_API_CLIENT_IDS: "porter-eu,porter-cli",
    DATA_DIR: "memory://",
    LOG_LEVEL: "error",
  });
  const { GET } = await import("../app/api/v1/services/route");
  const { getDb } = await import("../lib/db");
  const { organizationIdFor, applySeedOnce, readSeedFile } = await import("../lib/access");
  const { servicesListResponse } = await import("../lib/catalog");
  const db = await getDb();
  const organizationId = await organizationIdFor(db, "acme");
  await applySeedOnce(db, organizationId, await readSeedFile(path.resolve("demo/org-seed.json")));

  const send = async (res: ServerResponse, response: Response) => {
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, { headers: req.headers as Record<string, string> });
    const answer = req.url === "/auth" ? GET(request, { params: Promise.resolve({}) }) : servicesListResponse(db, { organizationId });
    answer.then(
      (response) => send(res, response),
      () => {
        res.writeHead(500);
        res.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  const token = idp.sign({ cid: "porter-cli", sub: "dev@example.com", scp: ["porter.read"], groups: ["team-payments", "Everyone"] });
  const check = await fetch(`${origin}/auth`, { headers: { authorization: `Bearer ${token}` } });
  if (check.status !== 200) throw new Error(`authenticated route answered ${String(check.status)}: ${await check.text()}`);

  const load = async (pathname: string, bearer: string, ms: number) => {
    const { stdout } = await run(process.execPath, ["node_modules/tsx/dist/cli.mjs", "bench/load.ts", `${origin}${pathname}`, bearer, String(ms), "8"]);
    const r = JSON.parse(stdout) as { requests: number; seconds: number; errors: number };
    if (r.errors > 0) throw new Error(`${String(r.errors)} failed requests on ${pathname}`);
    return r.requests / r.seconds;
  };
  await load("/auth", token, 1500);
  await load("/noauth", "-", 1500);
  const with_: number[] = [];
  const without: number[] = [];
  for (let i = 0; i < 5; i++) {
    with_.push(await load("/auth", token, 2000));
    without.push(await load("/noauth", "-", 2000));
  }
  server.close();
  await idp.close();
  // The median of alternating runs: one run disturbed by the machine does not decide the ratio.
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const a = median(with_);
  const b = median(without);
  console.log("\nGET /api/v1/services on loopback, 8 connections, 5 x 2 s each, alternating, medians (embedded PGlite, 4 services)");
  line("baseline: same handler, auth skipped", `${b.toFixed(0)} req/s`, `runs ${without.map((x) => x.toFixed(0)).join(", ")}`);
  line("with a valid bearer token (cached)", `${a.toFixed(0)} req/s`, `runs ${with_.map((x) => x.toFixed(0)).join(", ")} -> ${ratio(a / b)} of baseline; target >= 0.9x: ${a / b >= 0.9 ? "met" : "MISSED"}`);
  return { ratio: a / b };
}
