/**
 * `npm run demo:cluster`: porter's production shape on one machine. PostgreSQL (Debian's, on 127.0.0.1:55433)
 * is the only shared state; devidp on :4000; three stateless EU app nodes on :3010-3012; nginx on
 * http://localhost:3000 in front of them, round robin with no stickiness (any node answers any request of
 * any session). Ctrl+C stops all of it (PostgreSQL included). An app node or devidp that dies (a crash,
 * `kill -9`) is started again with back-off while nginx routes around it; PostgreSQL is started again if
 * it stops; only the proxy's death, or PostgreSQL failing to start, stops the cluster.
 *
 * A control endpoint on 127.0.0.1:3019 stops and starts the parts, for the fault tests (e2e/cluster):
 *   POST /stop/<part>, /start/<part>, /kill/<part> (SIGKILL), /restart/postgres, /rotate-keys
 * with the header x-cluster-control: <data-dir>/control-token. Parts: devidp, eu-1, eu-2, eu-3.
 * GET /status gives the process ids. Flags: --proxy-port, --idp-port, --node-ports 3010,3011,3012, --pg-port,
 * --control-port, --data-dir, --fresh, --groups-max-age, --rate-limits, --idp-extra-users.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import {
  initPostgres,
  localPostgres,
  postgresRunning,
  restartPostgres,
  startPostgres,
  stopPostgres,
  type LocalPostgres,
} from "../tools/postgres";
import { nginxConfig, findNginx, NGINX_MISSING } from "./proxy";
import { DEVIDP_ADMIN_TOKEN, provisionDemoScim, registerDemoEventHook } from "./env";
import {
  buildIfStale,
  createSupervisor,
  devidpEnv,
  given,
  porterEnv,
  root,
  serve,
  tsx,
  waitFor,
  writeConnectionsFile,
} from "./processes";

const { values: args } = parseArgs({
  options: {
    "proxy-port": { type: "string", default: "3000" },
    "idp-port": { type: "string", default: "4000" },
    "node-ports": { type: "string", default: "3010,3011,3012" },
    "pg-port": { type: "string", default: "55433" },
    "control-port": { type: "string", default: "3019" },
    "data-dir": { type: "string", default: "./data/cluster" },
    fresh: { type: "boolean", default: false },
    "groups-max-age": { type: "string" },
    // RATE_LIMITS for the nodes (the cluster e2e tests lower one to see it shared).
    "rate-limits": { type: "string" },
    // Extra devidp users bench-001@example.com... (the load bench signs 200 different people in).
    "idp-extra-users": { type: "string" },
  },
});

const proxyPort = Number(args["proxy-port"]);
const idpPort = Number(args["idp-port"]);
const controlPort = Number(args["control-port"]);
const nodePorts = args["node-ports"].split(",").map(Number);
const dataDir = path.resolve(root, args["data-dir"]);
const proxyUrl = `http://localhost:${String(proxyPort)}`;
const idpUrl = `http://localhost:${String(idpPort)}`;
const issuer = `${idpUrl}/oauth2/default`;
/** The cluster is the EU deployment only; the US URL is where the demo's US organization would live. */
const US_URL = "http://localhost:3001";
const nodes = nodePorts.map((port, i) => ({
  name: `eu-${String(i + 1)}`,
  port,
  url: `http://127.0.0.1:${String(port)}`,
}));

const nginx = findNginx();
let postgres: LocalPostgres;
try {
  postgres = localPostgres(path.join(dataDir, "pg"), Number(args["pg-port"]));
} catch (err) {
  console.error(`demo:cluster: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
if (!nginx) {
  console.error(`demo:cluster: ${NGINX_MISSING}`);
  process.exit(1);
}

if (args.fresh) {
  if (existsSync(path.join(postgres.dataDir, "PG_VERSION")) && postgresRunning(postgres)) stopPostgres(postgres);
  rmSync(dataDir, { recursive: true, force: true });
}
for (const dir of ["logs", "nginx"]) mkdirSync(path.join(dataDir, dir), { recursive: true });

const started = Date.now();
buildIfStale();

initPostgres(postgres);
if (postgresRunning(postgres)) stopPostgres(postgres); // left over from a run that was killed
startPostgres(postgres);
const supervisor = createSupervisor("demo:cluster", () => {
  stopPostgres(postgres);
});
const databaseUrl = postgres.url("porter");
{
  const admin = new pg.Client({ connectionString: postgres.url("postgres") });
  await admin.connect();
  const exists = await admin.query("select 1 from pg_database where datname = 'porter'");
  if (exists.rowCount === 0) await admin.query("create database porter");
  await admin.end();
}

const controlToken = (() => {
  const file = path.join(dataDir, "control-token");
  if (!existsSync(file)) writeFileSync(file, randomBytes(24).toString("base64url"), { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
})();

function startDevidp(): void {
  supervisor.run(
    "devidp",
    process.execPath,
    [...tsx, "devidp/server.ts"],
    devidpEnv({
      port: idpPort,
      url: idpUrl,
      dataDir,
      appUrls: { eu: proxyUrl, us: US_URL },
      extraUsers: args["idp-extra-users"],
    }),
    {
      stdout: { file: path.join(dataDir, "logs", "devidp.log") },
      // The local Okta comes back after a crash; it keeps Event Hooks in memory, so acme's is registered again.
      restart: true,
      afterRestart: async () => {
        await waitFor(`${issuer}/.well-known/openid-configuration`, 30_000);
        await registerDemoEventHook(idpUrl, proxyUrl);
        await provisionDemoScim(idpUrl);
      },
    },
  );
}
startDevidp();
await waitFor(`${issuer}/.well-known/openid-configuration`, 30_000);

const connectionsFile = writeConnectionsFile(dataDir, issuer);

function startNode(node: (typeof nodes)[number]): void {
  supervisor.run(
    node.name,
    process.execPath,
    [...serve, "-p", String(node.port), "-H", "127.0.0.1"],
    {
      ...porterEnv({
        urls: { appUrl: proxyUrl, usUrl: US_URL, issuer },
        region: "eu",
        dataDir,
        porterDataDir: path.join(dataDir, node.name),
        connectionsFile,
      }),
      DATABASE_URL: databaseUrl,
      // nginx on loopback is the one hop that may name the client and set the request id.
      TRUSTED_PROXIES: "127.0.0.1",
      PORTER_NODE: node.name,
      ...given({ GROUPS_MAX_AGE: args["groups-max-age"], RATE_LIMITS: args["rate-limits"] }),
    },
    // A node that dies is started again (nginx sends its requests to the others meanwhile).
    { stdout: { file: path.join(dataDir, "logs", `${node.name}.log`) }, restart: true },
  );
}
// All three at once: migrations run once (an advisory lock), the seed is applied once (a row lock).
for (const node of nodes) startNode(node);
await Promise.all(nodes.map((n) => waitFor(`${n.url}/api/health/ready`, 90_000)));

const nginxDir = path.join(dataDir, "nginx");
const nginxConf = path.join(nginxDir, "nginx.conf");
writeFileSync(
  nginxConf,
  nginxConfig({
    dir: nginxDir,
    listenPort: proxyPort,
    upstreams: nodePorts,
    accessLog: path.join(dataDir, "logs", "proxy.log"),
  }),
);
// The proxy is the cluster's one door: if it dies, everything stops (no restart).
supervisor.run("nginx", nginx, ["-p", nginxDir, "-c", nginxConf, "-e", "stderr"], {});

// PostgreSQL is a daemon, not a child: checked every 5 s and started again if it stopped (a crash, the OOM
// killer); if it cannot be started, everything stops.
setInterval(() => {
  if (supervisor.shuttingDown || postgresRunning(postgres)) return;
  console.error("demo:cluster: PostgreSQL is not running; starting it again");
  try {
    startPostgres(postgres);
  } catch (err) {
    console.error(
      `demo:cluster: PostgreSQL cannot be started (${err instanceof Error ? err.message : String(err)}); stopping`,
    );
    supervisor.shutdown(1);
  }
}, 5_000).unref();
await waitFor(`${proxyUrl}/api/health/ready`, 15_000);
const hook = await registerDemoEventHook(idpUrl, proxyUrl);
await provisionDemoScim(idpUrl);

async function rotateKeys(): Promise<Response> {
  return fetch(`${idpUrl}/api/v1/authorizationServers/default/credentials/lifecycle/keyRotate`, {
    method: "POST",
    headers: { authorization: `SSWS ${DEVIDP_ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ use: "sig" }),
  });
}

/** The fault tests' handle on the cluster: loopback only, and only with the token in the data directory. */
const control = createServer((req, res) => {
  const answer = (status: number, body: Record<string, unknown>) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  if (req.headers["x-cluster-control"] === controlToken && req.method === "GET" && req.url === "/status") {
    // Process ids, for the load bench's per-node CPU and the cluster's total memory.
    const pids: Record<string, number | null> = {};
    for (const name of ["devidp", "nginx", ...nodes.map((n) => n.name)])
      pids[name] = supervisor.get(name)?.child.pid ?? null;
    answer(200, {
      pids,
      postgres: Number(readFileSync(path.join(postgres.dataDir, "postmaster.pid"), "utf8").split("\n")[0]),
    });
    return;
  }
  if (req.method !== "POST" || req.headers["x-cluster-control"] !== controlToken) {
    answer(403, { error: "POST with x-cluster-control: <data-dir>/control-token" });
    return;
  }
  const [, action = "", part = ""] = (req.url ?? "").split("/");
  const node = nodes.find((n) => n.name === part);
  void (async () => {
    if (action === "restart" && part === "postgres") {
      const t = Date.now();
      restartPostgres(postgres); // synchronous: the watchdog below cannot run in between
      answer(200, { restarted: "postgres", ms: Date.now() - t });
      return;
    }
    if (action === "rotate-keys") {
      const res = await rotateKeys();
      answer(res.status, (await res.json()) as Record<string, unknown>);
      return;
    }
    if (part !== "devidp" && !node) {
      answer(404, { error: `unknown part ${part}; parts: devidp, ${nodes.map((n) => n.name).join(", ")}, postgres` });
      return;
    }
    const running = supervisor.get(part);
    if (action === "stop" || action === "kill") {
      if (!running || running.child.exitCode !== null || running.child.signalCode !== null) {
        answer(200, { [part]: "already stopped" });
        return;
      }
      running.expectExit = true;
      const exited = new Promise((r) => running.child.once("exit", r));
      running.child.kill(action === "kill" ? "SIGKILL" : "SIGTERM");
      await exited;
      answer(200, { [part]: action === "kill" ? "killed" : "stopped" });
      return;
    }
    if (action === "start") {
      if (running && running.child.exitCode === null && running.child.signalCode === null) {
        answer(200, { [part]: "already running" });
        return;
      }
      if (part === "devidp") {
        startDevidp();
        await waitFor(`${issuer}/.well-known/openid-configuration`, 30_000);
        // devidp keeps Event Hooks in memory, as a restarted Okta org keeps them in its own store.
        await registerDemoEventHook(idpUrl, proxyUrl);
        await provisionDemoScim(idpUrl);
      } else if (node) {
        startNode(node);
        await waitFor(`${node.url}/api/health/ready`, 60_000);
      }
      answer(200, { [part]: "started" });
      return;
    }
    answer(404, { error: `unknown action ${action}` });
  })().catch((err: unknown) => {
    answer(500, { error: err instanceof Error ? err.message : String(err) });
  });
});
await new Promise<void>((resolve) => control.listen(controlPort, "127.0.0.1", resolve));

writeFileSync(
  path.join(dataDir, "cluster.json"),
  JSON.stringify(
    {
      proxyUrl,
      idpUrl,
      issuer,
      databaseUrl,
      controlUrl: `http://127.0.0.1:${String(controlPort)}`,
      nodes,
      logs: path.join(dataDir, "logs"),
      postgres: { bin: postgres.bin, dataDir: postgres.dataDir, port: postgres.port, runAs: postgres.runAs },
    },
    null,
    2,
  ),
);

console.log(`
  porter cluster is running: ${proxyUrl}   (nginx, round robin, no stickiness)
    app nodes   ${nodes.map((n) => `${n.name} ${n.url}`).join(", ")}   (stateless; every response says which in x-served-by)
    PostgreSQL  ${databaseUrl}   (the only shared state; data in ${postgres.dataDir})
    devidp      ${idpUrl}   (the local Okta); acme's Event Hook ${hook.id} is ${hook.verificationStatus}
  ready in ${((Date.now() - started) / 1000).toFixed(1)} s

  Sign in as dev@example.com or admin@example.com (password Passw0rd!); every request may land on another node.
  Logs, one JSON line per request with the proxy's request id (also in each audit event's refs):
    tail -f ${path.relative(process.cwd(), path.join(dataDir, "logs"))}/{proxy,eu-1,eu-2,eu-3}.log
  Kill a node and keep browsing:   curl -X POST -H "x-cluster-control: $(cat ${path.relative(process.cwd(), path.join(dataDir, "control-token"))})" http://127.0.0.1:${String(controlPort)}/kill/eu-2
    (then /start/eu-2; also /stop/devidp, /start/devidp, /restart/postgres, /rotate-keys)
  A node that dies on its own (kill -9 <pid>, a crash) is started again within seconds: GET /status lists the pids.

  Ctrl+C stops all of it.
`);
