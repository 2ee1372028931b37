import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { line, median, ratio, us } from "./stats";
import { runLoad, startJwksIssuer } from "./support";

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
    // The bearer API's per-address budget (1,200 a minute) would turn the load into 429s: this measures the
    // route, not the limiter.
    RATE_LIMITS: "api.address=1000000,api.organization=1000000",
  });
  const { GET } = await import("../app/api/v1/services/route");
  const { getDb } = await import("../lib/db");
  const { organizationIdFor } = await import("../lib/organizations");
  const { applySeedOnce, readSeedFile } = await import("../lib/rules");
  const { servicesListResponse } = await import("../lib/catalog");
  const db = await getDb();
  const organizationId = await organizationIdFor(db, "acme");
  await applySeedOnce(db, organizationId, await readSeedFile(path.resolve("demo/org-seed.json")));

  const send = async (res: ServerResponse, response: Response) => {
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, {
      headers: req.headers as Record<string, string>,
    });
    const answer =
      req.url === "/auth"
        ? GET(request, { params: Promise.resolve({}) })
        : servicesListResponse(db, { organizationId });
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
  const token = idp.sign({
    cid: "porter-cli",
    sub: "dev@example.com",
    scp: ["porter.read"],
    groups: ["team-payments", "Everyone"],
  });
  const check = await fetch(`${origin}/auth`, { headers: { authorization: `Bearer ${token}` } });
  if (check.status !== 200)
    throw new Error(`authenticated route answered ${String(check.status)}: ${await check.text()}`);

  const load = (pathname: string, bearer: string, ms: number) => runLoad(`${origin}${pathname}`, bearer, ms);
  await load("/auth", token, 1500);
  await load("/noauth", "-", 1500);
  const with_: number[] = [];
  const without: number[] = [];
  for (let i = 0; i < 7; i++) {
    with_.push(await load("/auth", token, 1500));
    without.push(await load("/noauth", "-", 1500));
  }
  // In-process, no network: what the auth step itself costs next to the handler.
  const { authenticateBearer } = await import("../lib/auth/bearer");
  const request = () => new Request(`${origin}/auth`, { headers: { authorization: `Bearer ${token}` } });
  const timeIt = async (fn: () => Promise<unknown>) => {
    for (let i = 0; i < 300; i++) await fn();
    const start = performance.now();
    for (let i = 0; i < 2000; i++) await fn();
    return (performance.now() - start) / 2000;
  };
  const authOnly = await timeIt(() => authenticateBearer(request(), ["porter.read"]));
  const handlerOnly = await timeIt(async () => (await servicesListResponse(db, { organizationId })).text());
  server.close();
  await idp.close();
  // Each authenticated run is compared with the unauthenticated run right after it, and the median of
  // those ratios is reported: the machine's drift during the benchmark cancels out.
  const r = median(with_.map((w, i) => w / (without[i] ?? Number.NaN)));
  console.log(
    "\nGET /api/v1/services on loopback, 8 connections, 7 alternating pairs of 1.5 s runs (embedded PGlite, 4 services)",
  );
  line(
    "baseline: same handler, auth skipped",
    `${median(without).toFixed(0)} req/s`,
    `runs ${without.map((x) => x.toFixed(0)).join(", ")}`,
  );
  line(
    "with a valid bearer token (cached)",
    `${median(with_).toFixed(0)} req/s`,
    `runs ${with_.map((x) => x.toFixed(0)).join(", ")}`,
  );
  line("ratio (median of the 7 paired runs)", ratio(r), `target >= 0.9x: ${r >= 0.9 ? "met" : "MISSED"}`);
  line(
    "in-process: the auth step alone",
    us(authOnly),
    `vs the handler alone ${us(handlerOnly)} -> auth adds ${((authOnly / handlerOnly) * 100).toFixed(1)}%`,
  );
  return { ratio: r };
}
