/**
 * porter's production server: Next.js behind a plain Node HTTP server that does what Next cannot.
 * - It puts every request's TCP peer address in the request context (never in a header a client could
 *   send), the one address a client cannot forge (lib/http/client-ip.ts; TRUSTED_PROXIES says which hops
 *   may say more).
 * - It gives every request an id: the trusted proxy's X-Request-Id, else a new one. The id is sent back,
 *   carried by every log line and audit event of the request (lib/http/request-context.ts), and ends the
 *   one JSON access-log line per request (ACCESS_LOG=off silences those).
 * - On SIGTERM it stops taking connections (the proxy sends new requests to other nodes) and lets requests
 *   in flight finish, up to 10 s.
 * - MEMORY_LOG_SECONDS=N logs the process's memory (RSS, heap) every N seconds (a `memory` line; off by default).
 *   npm start [-- -p PORT] [-H HOST]   (node dist/serve.mjs, built by npm run build from this file; else the
 *   PORT and HOSTNAME variables, as next start; else 3000 on 127.0.0.1)
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import next from "next";
import { readRawEnv } from "../lib/config/raw-env";
import { parseTrustedProxies } from "../lib/config/trusted-proxies";
import { peerIsTrustedProxy } from "../lib/http/client-ip";
import { answerMarkedRequestsWith503 } from "../lib/db/unavailable";
import { initializePglite, pgliteLocation, pgliteOwner } from "../lib/db/pglite-directory";
import {
  markServedByPorter,
  REQUEST_ID_HEADER,
  requestContext,
  requestIdFor,
  type RequestContext,
} from "../lib/core/request-context";
import { logger } from "../lib/log";

// Where to listen, as `next start` takes it: -p/-H first, then PORT and HOSTNAME (what platforms set).
const { values } = parseArgs({
  options: {
    port: { type: "string", short: "p", default: readRawEnv("PORT") ?? "3000" },
    hostname: { type: "string", short: "H", default: readRawEnv("HOSTNAME") ?? "127.0.0.1" },
  },
});
const port = Number(values.port);
const hostname = values.hostname;
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`porter: the port must be a number from 1 to 65535 (got "${values.port}" from -p or PORT)`);
  process.exit(1);
}
const proxies = parseTrustedProxies(readRawEnv("TRUSTED_PROXIES"));
if (typeof proxies === "string") {
  console.error(`porter: ${proxies}`);
  process.exit(1);
}
const accessLog = readRawEnv("ACCESS_LOG") !== "off";
const nodeName = readRawEnv("PORTER_NODE");
markServedByPorter();
// A first start on the embedded database: its directory is created (in a process of its own) while Next.js
// loads; opening the database waits for it. Errors surface there, where the database is opened.
if (!readRawEnv("DATABASE_URL")) {
  const location = pgliteLocation(readRawEnv("DATA_DIR") ?? "./data");
  if (pgliteOwner(location) === null) initializePglite(location).catch(() => undefined);
}
const app = next({ dev: false, dir: path.resolve(import.meta.dirname, ".."), hostname, port });
await app.prepare();
const handle = app.getRequestHandler();

const server = createServer((req, res) => {
  const peer = req.socket.remoteAddress ?? "";
  const requestId = requestIdFor(req.headers[REQUEST_ID_HEADER], peerIsTrustedProxy(peer, proxies), randomUUID);
  req.headers[REQUEST_ID_HEADER] = requestId;
  res.setHeader(REQUEST_ID_HEADER, requestId);
  if (nodeName) res.setHeader("x-served-by", nodeName);
  const started = performance.now();
  const context: RequestContext = { requestId, peer };
  // A 500 caused by an unreachable database is a 503 the client may retry (lib/db/unavailable.ts, step 4).
  answerMarkedRequestsWith503(res, () => context.databaseUnavailable === true);
  if (accessLog) {
    res.once("finish", () => {
      // The path only: a query string can hold an authorization code or state.
      const pathOnly = (req.url ?? "/").split("?")[0];
      requestContext.run(context, () => {
        logger.info(
          {
            method: req.method,
            path: pathOnly,
            status: res.statusCode,
            ms: Math.round((performance.now() - started) * 10) / 10,
            // Of which waiting on Okta (a sign-in's token endpoint): porter's own time is the difference.
            ...(context.oktaMs !== undefined ? { oktaMs: Math.round(context.oktaMs * 10) / 10 } : {}),
            peer,
          },
          "request",
        );
      });
    });
  }
  requestContext.run(context, () => {
    void handle(req, res);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, hostname, () => {
  logger.info({ url: `http://${hostname}:${String(port)}` }, "porter listening");
});

const memoryEvery = Number(readRawEnv("MEMORY_LOG_SECONDS") ?? "0");
if (Number.isFinite(memoryEvery) && memoryEvery > 0) {
  const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
  setInterval(() => {
    const m = process.memoryUsage();
    logger.info(
      {
        event: "memory",
        rssMb: mb(m.rss),
        heapUsedMb: mb(m.heapUsed),
        heapTotalMb: mb(m.heapTotal),
        externalMb: mb(m.external),
        arrayBuffersMb: mb(m.arrayBuffers),
      },
      "memory",
    );
  }, memoryEvery * 1000).unref();
}

let stopping = false;
function shutdown(): void {
  if (stopping) return;
  stopping = true;
  logger.info({}, "porter stopping: finishing requests in flight");
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 10_000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
