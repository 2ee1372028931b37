/**
 * The audit log from the shell:
 *   npm run audit -- verify [--connection NAME] [--json]
 * Walks each organization's hash chain (and the platform chain of events of no organization) and
 * reports the first broken link. Exit 0 when every chain holds, 1 when one is broken, 2 on bad arguments.
 * Reads porter's database from its environment (DATABASE_URL, or DATA_DIR for the embedded one: stop porter first).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { inArray } from "drizzle-orm";
import { verifyChain, type ChainReport } from "../lib/audit/verify";
import { parseConfig, type Config } from "../lib/config/env";
import { ConfigError } from "../lib/config/errors";
import { openDatabase, pgliteLocation, pgliteOwner } from "../lib/db/client";
import { organizations } from "../lib/db/schema";

const USAGE = "usage: npm run audit -- verify [--connection NAME] [--json]";
function fail(code: number, message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { connection: { type: "string" }, json: { type: "boolean", default: false }, help: { type: "boolean" } },
  });
} catch (err) {
  fail(2, `${(err as Error).message}\n${USAGE}`);
}
const { values, positionals } = parsed;
if (values.help) fail(0, USAGE);
if (positionals[0] !== "verify" || positionals.length !== 1) fail(2, USAGE);

let config: Config;
try {
  const file = process.env.CONNECTIONS_FILE;
  config = parseConfig(process.env, file ? { path: file, text: readFileSync(file, "utf8") } : undefined);
} catch (err) {
  if (err instanceof ConfigError)
    fail(1, `npm run audit reads porter's database, so it needs porter's environment:\n${err.message}`);
  throw err;
}
const names = values.connection ? [values.connection] : config.connections.map((c) => c.name);
if (values.connection && !config.connections.some((c) => c.name === values.connection))
  fail(1, `No connection named "${values.connection}".`);
if (config.database.kind === "pglite") {
  const owner = pgliteOwner(pgliteLocation(config.database.dataDir));
  if (owner !== null)
    fail(
      1,
      `porter (process ${String(owner)}) has the embedded database open. Stop it first, or use PostgreSQL (DATABASE_URL).`,
    );
}

const handle = await openDatabase(config.database);
const reports: (ChainReport & { organization: string })[] = [];
try {
  const orgs = await handle.db
    .select({ id: organizations.id, name: organizations.name })
    .from(organizations)
    .where(inArray(organizations.name, names));
  for (const org of orgs) reports.push({ organization: org.name, ...(await verifyChain(handle.db, org.id)) });
  if (!values.connection)
    reports.push({
      organization: "(platform: events of no organization)",
      ...(await verifyChain(handle.db, "platform")),
    });
} finally {
  await handle.close();
}
if (values.json) {
  process.stdout.write(`${JSON.stringify({ ok: reports.every((r) => r.ok), chains: reports }, null, 2)}\n`);
} else {
  for (const r of reports) {
    const rate = r.durationMs > 0 ? ` (${String(Math.round((r.checked / r.durationMs) * 1000))} events/s)` : "";
    if (r.ok)
      process.stdout.write(
        `OK      ${r.organization}: ${String(r.checked)} event(s) hold, head ${r.head ? `${String(r.head.seq)} ${r.head.hash}` : "none"}${rate}\n`,
      );
    else
      process.stdout.write(
        `BROKEN  ${r.organization}: at event ${String(r.broken?.seq ?? "?")}${r.broken?.id ? ` (id ${String(r.broken.id)})` : ""}: ${r.broken?.reason ?? ""}\n`,
      );
    if (r.unchained > 0)
      process.stdout.write(`        ${String(r.unchained)} event(s) predate the chain and are not covered by it\n`);
  }
}
process.exit(reports.every((r) => r.ok) ? 0 : 1);
