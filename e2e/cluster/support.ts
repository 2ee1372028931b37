import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";

/** What demo/cluster.ts wrote about the cluster it started (ports, database, control endpoint). */
export interface ClusterInfo {
  proxyUrl: string;
  idpUrl: string;
  databaseUrl: string;
  controlUrl: string;
  nodes: { name: string; port: number; url: string }[];
  logs: string;
  postgres: { bin: string; dataDir: string; port: number; runAs: string | null };
}

const dir = path.resolve(process.env.E2E_CLUSTER_DIR ?? "./data/e2e-cluster");

export function clusterInfo(): ClusterInfo {
  return JSON.parse(readFileSync(path.join(dir, "cluster.json"), "utf8")) as ClusterInfo;
}

/** Stops, kills or starts a part of the cluster (devidp, eu-1..3), restarts PostgreSQL, rotates devidp's keys. */
export async function control(
  action: "stop" | "start" | "kill" | "restart" | "rotate-keys",
  part = "",
): Promise<Record<string, unknown>> {
  const token = readFileSync(path.join(dir, "control-token"), "utf8").trim();
  const res = await fetch(`${clusterInfo().controlUrl}/${action}/${part}`, {
    method: "POST",
    headers: { "x-cluster-control": token },
  });
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`cluster control ${action} ${part}: HTTP ${String(res.status)} ${JSON.stringify(body)}`);
  return body;
}

/** The cluster's process ids (each app node, devidp, nginx, PostgreSQL's postmaster). */
export async function status(): Promise<{ pids: Record<string, number | null>; postgres: number }> {
  const token = readFileSync(path.join(dir, "control-token"), "utf8").trim();
  const res = await fetch(`${clusterInfo().controlUrl}/status`, { headers: { "x-cluster-control": token } });
  if (!res.ok) throw new Error(`cluster status: HTTP ${String(res.status)}`);
  return (await res.json()) as { pids: Record<string, number | null>; postgres: number };
}

/** One query against the cluster's PostgreSQL (what an operator sees with psql). */
export async function query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: clusterInfo().databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}
