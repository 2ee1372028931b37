/**
 * porter's production server: Next.js behind a plain Node HTTP server that does two things Next cannot.
 * It stamps every request with the TCP peer's address (x-porter-peer, overwriting any sent), the one
 * address a client cannot forge (lib/http/client-ip.ts; TRUSTED_PROXIES says which hops may say more);
 * and on SIGTERM it stops taking connections and lets requests in flight finish (up to 10 s).
 *   tsx scripts/serve.ts [-p PORT] [-H HOST]
 */
import { createServer } from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import next from "next";

const { values } = parseArgs({ options: { port: { type: "string", short: "p", default: "3000" }, hostname: { type: "string", short: "H", default: "127.0.0.1" } } });
const port = Number(values.port);
const hostname = values.hostname;
const app = next({ dev: false, dir: path.resolve(import.meta.dirname, ".."), hostname, port });
await app.prepare();
const handle = app.getRequestHandler();

const server = createServer((req, res) => {
  req.headers["x-porter-peer"] = req.socket.remoteAddress ?? "";
  void handle(req, res);
});
server.keepAliveTimeout = 65_000;
server.listen(port, hostname, () => {
  console.log(`porter: listening on http://${hostname}:${String(port)}`);
});

function shutdown(): void {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 10_000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
