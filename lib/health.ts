import "server-only";
import { getConfig } from "./config";
import { getDbHandle } from "./db";
import { getOidcMetadata, OktaError } from "./okta";

type Check = { status: "ok" } | { status: "error"; code: string; message: string };

async function check(fn: () => Promise<unknown>): Promise<Check> {
  try {
    await fn();
    return { status: "ok" };
  } catch (err) {
    if (err instanceof OktaError) return { status: "error", code: err.code, message: err.userMessage };
    return { status: "error", code: "unavailable", message: "not reachable" };
  }
}

/** Database and per-connection discovery status. Always answers; never reveals secrets. */
export async function getHealth() {
  const config = getConfig();
  const [database, ...connections] = await Promise.all([
    check(async () => (await getDbHandle()).ping()),
    ...config.connections.map((c) => check(() => getOidcMetadata(c.issuer))),
  ]);
  const report = {
    status: database?.status === "ok" && connections.every((c) => c.status === "ok") ? "ok" : "degraded",
    region: config.region,
    database: { kind: config.database.kind, ...database },
    connections: config.connections.map((c, i) => ({ name: c.name, region: c.region, issuer: c.issuer, discovery: connections[i] })),
  };
  return report;
}
