/**
 * Okta configuration check from the shell (DESIGN.md contract):
 *   npm run check-okta -- [--connection NAME] [--json]
 * Uses porter's environment (OKTA_*, CONNECTIONS_FILE); without OKTA_ISSUER it checks the demo's
 * organizations (start them with `npm run demo`). Exit 1 when any check fails, 2 on bad arguments.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { connectionUrls } from "../lib/config/connection-urls";
import { parseConfig, type Config, type ConnectionsFileInput } from "../lib/config/env";
import { ConfigError } from "../lib/config/errors";
import { OktaClient } from "../lib/okta/client";
import { startChecks } from "../lib/okta/checks/run-checks";
import { demoConnections, demoPorterEnv } from "../demo/env";

const USAGE = "usage: npm run check-okta -- [--connection NAME] [--json]";
let values;
try {
  ({ values } = parseArgs({
    options: { connection: { type: "string" }, json: { type: "boolean", default: false }, help: { type: "boolean" } },
  }));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

function loadConfig(): Config {
  if (!process.env.OKTA_ISSUER) {
    const issuer = "http://localhost:4000/oauth2/default";
    process.stderr.write(
      `check-okta: OKTA_ISSUER is not set, so this checks the demo's organizations at ${issuer} (npm run demo).\n`,
    );
    const env = {
      ...demoPorterEnv({ appUrl: "http://localhost:3000", usUrl: "http://localhost:3001", issuer }, "eu"),
      AUTH_SECRET: "x".repeat(32),
    };
    return parseConfig(env, { path: "(demo connections)", text: JSON.stringify(demoConnections(issuer)) });
  }
  const path = process.env.CONNECTIONS_FILE;
  const file: ConnectionsFileInput | undefined = path ? { path, text: readFileSync(path, "utf8") } : undefined;
  return parseConfig(process.env, file);
}

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`);
  process.exit(2);
}
const connection = values.connection
  ? config.connections.find((c) => c.name === values.connection)
  : config.connections[0];
if (!connection) {
  process.stderr.write(
    `No connection named "${values.connection ?? ""}". Known: ${config.connections.map((c) => c.name).join(", ")}\n`,
  );
  process.exit(2);
}
const urls = connectionUrls(config, connection);
const otherUrls = connectionUrls(config, connection, connection.region === "eu" ? "us" : "eu");
const results = await startChecks({ connection, urls, otherUrls, signIn: null, okta: OktaClient.of(connection) }).all;
const failed = results.some((r) => r.status === "fail");

if (values.json) {
  process.stdout.write(
    `${JSON.stringify({ connection: connection.name, region: connection.region, checks: results }, null, 2)}\n`,
  );
} else {
  const mark = { pass: "PASS", warn: "WARN", fail: "FAIL", skipped: "SKIP" } as const;
  process.stdout.write(
    `Okta configuration check: ${connection.name} (${connection.region.toUpperCase()}, ${connection.issuer})\n\n`,
  );
  for (const r of results) {
    process.stdout.write(`  ${mark[r.status]}  ${r.title}: ${r.message}\n`);
    if (r.fix) process.stdout.write(`        fix: ${r.fix}${r.value ? `\n        value: ${r.value}` : ""}\n`);
  }
  process.stdout.write(`\n${failed ? "Some checks failed." : "No check failed."}\n`);
}
process.exit(failed ? 1 : 0);
