/**
 * Mapping what-if and rules as code from the shell (DESIGN.md contract):
 *   npm run rbac -- explain --groups "A,B" [--connection NAME] [--seed FILE] [--admin-groups "X,Y"]
 *   npm run rbac -- export --connection NAME [--format yaml|json]
 *   npm run rbac -- diff FILE --connection NAME        (the console's preview, as text; exit 0)
 *   npm run rbac -- apply FILE --connection NAME [--yes] (all or nothing; --yes confirms when >10% lose a role)
 *
 * Without --connection it explains with the rules of a seed file (rules as code: --seed, else
 * ORG_SEED_FILE, else demo/org-seed.json). With --connection it reads that organization's live rules
 * from porter's database (the environment's DATABASE_URL or DATA_DIR) and uses the connection's filter.
 * Prints JSON; exit 0, or 2 with a usage line on bad arguments, or 1 when the source cannot be read.
 */
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { userInfo } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { getOrganizationRules, toRuleSetSpec } from "../lib/organizations/queries";
import { readSeedFile } from "../lib/rules/seed";
import { parseConfig, type Config, type Connection } from "../lib/config/env";
import { ConfigError } from "../lib/config/errors";
import { openDatabase, pgliteLocation, pgliteOwner } from "../lib/db/client";
import { organizations } from "../lib/db/schema";
import { compileGroupsFilter, compileRuleSet, mapGroups, type RuleSetSpec } from "../lib/rbac";
import { eq } from "drizzle-orm";

const USAGE = [
  'usage: npm run rbac -- explain --groups "Group A,Group B" [--connection NAME] [--seed FILE] [--admin-groups "X,Y"]',
  "       npm run rbac -- export --connection NAME [--format yaml|json]",
  "       npm run rbac -- diff FILE --connection NAME",
  "       npm run rbac -- apply FILE --connection NAME [--yes]",
].join("\n");

function fail(code: number, message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

const list = (value: string | undefined) =>
  (value ?? "")
    .split(",")
    .map((g) => g.trim())
    .filter(Boolean);

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      groups: { type: "string" },
      connection: { type: "string" },
      seed: { type: "string" },
      "admin-groups": { type: "string" },
      format: { type: "string" },
      yes: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
} catch (err) {
  fail(2, `${(err as Error).message}\n${USAGE}`);
}
const { values, positionals } = parsed;
if (values.help) fail(0, USAGE);
if (positionals[0] === "export" || positionals[0] === "diff" || positionals[0] === "apply") {
  await rulesAsCode(positionals[0], positionals.slice(1));
  process.exit(0);
}
if (positionals[0] !== "explain" || positionals.length !== 1) fail(2, USAGE);
if (values.groups === undefined)
  fail(2, `--groups is required (use --groups "" for a person with no groups)\n${USAGE}`);
const groups = list(values.groups);

let spec: RuleSetSpec;
let filter: Pick<Connection, "groupsAllow" | "groupsBlock"> = { groupsAllow: ".*", groupsBlock: undefined };
let source: Record<string, unknown>;

if (values.connection) {
  let config;
  try {
    config = parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError)
      fail(1, `--connection reads porter's database, so it needs porter's environment:\n${err.message}`);
    throw err;
  }
  const connection = config.connections.find((c) => c.name === values.connection);
  if (!connection)
    fail(1, `No connection named "${values.connection}". Known: ${config.connections.map((c) => c.name).join(", ")}`);
  if (config.database.kind === "pglite") {
    const owner = pgliteOwner(pgliteLocation(config.database.dataDir));
    if (owner !== null)
      fail(
        1,
        `porter (process ${String(owner)}) has the embedded database open. Stop it, use PostgreSQL, or explain with the seed file (omit --connection).`,
      );
  }
  const handle = await openDatabase(config.database);
  try {
    const [org] = await handle.db
      .select({ id: organizations.id })
      .from(organizations)
      .where(eq(organizations.name, connection.name));
    if (!org)
      fail(
        1,
        `The organization "${connection.name}" has no data yet: start porter once, or omit --connection to use the seed file.`,
      );
    const rules = await getOrganizationRules(handle.db, org.id);
    spec = toRuleSetSpec(
      rules,
      values["admin-groups"] !== undefined ? { ...connection, adminGroups: list(values["admin-groups"]) } : connection,
    );
    filter = connection;
    source = { kind: "database", connection: connection.name, rulesVersion: rules.version };
  } finally {
    await handle.close();
  }
} else {
  const file = path.resolve(values.seed ?? process.env.ORG_SEED_FILE ?? "demo/org-seed.json");
  const seed = await readSeedFile(file).catch((err: unknown) => fail(1, (err as Error).message));
  const adminGroups =
    values["admin-groups"] !== undefined ? list(values["admin-groups"]) : list(process.env.ADMIN_GROUPS);
  spec = {
    version: 1,
    rules: seed.rules.map((r, i) => ({ id: `seed-${String(i)}`, ...r })),
    customRoles: seed.roles,
    defaultRole: seed.defaultRole,
    adminGroups,
  };
  source = { kind: "seed file", file: path.relative(process.cwd(), file) || file };
}

const ruleSet = compileRuleSet(spec);
const result = mapGroups(
  groups,
  compileGroupsFilter({ allow: filter.groupsAllow, block: filter.groupsBlock }),
  ruleSet,
);
const out = {
  source,
  adminGroups: spec.adminGroups,
  groups,
  keptGroups: result.keptGroups,
  droppedByFilter: groups.filter((g) => !result.keptGroups.includes(g)),
  roles: result.roles,
  permissions: result.permissions,
  defaultRoleApplied: result.defaultRoleApplied,
  ...(ruleSet.problems.length > 0 ? { problems: ruleSet.problems } : {}),
};
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);

/** export / diff / apply: the organization's live rules in porter's database, through the console's own code path. */
async function rulesAsCode(command: "export" | "diff" | "apply", args: string[]): Promise<void> {
  const { parseRulesDocument, formatRulesDocument } = await import("../lib/rules/rules-document");
  const { applyRuleChange, previewRuleChange } = await import("../lib/rules/manage-rules");
  const { describePreview, RbacError } = await import("../lib/rbac");
  if (!values.connection) fail(2, `--connection is required\n${USAGE}`);
  if (command === "export" ? args.length !== 0 : args.length !== 1) fail(2, USAGE);
  const format = values.format ?? "yaml";
  if (format !== "yaml" && format !== "json") fail(2, "--format is yaml or json");
  let text = "";
  if (command !== "export") {
    const file = args[0] ?? "";
    text = await readFile(file, "utf8").catch((err: unknown) =>
      fail(1, `${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`),
    );
  }
  const { config, connection } = loadConnection(values.connection);
  const handle = await openDatabase(config.database);
  try {
    const [org] = await handle.db
      .select({ id: organizations.id })
      .from(organizations)
      .where(eq(organizations.name, connection.name));
    if (!org) fail(1, `The organization "${connection.name}" has no data yet: start porter once first.`);
    if (command === "export") {
      process.stdout.write(formatRulesDocument(connection.name, await getOrganizationRules(handle.db, org.id), format));
      return;
    }
    const state = (() => {
      try {
        return parseRulesDocument(text, args[0] ?? "the file");
      } catch (err) {
        fail(1, (err as Error).message);
      }
    })();
    const actor = {
      organizationId: org.id,
      connection: connection.name,
      actor: `cli (${userInfo().username})`,
      subject: "cli",
      kind: "service" as const,
      adminGroups: connection.adminGroups,
      groupsAllow: connection.groupsAllow,
      groupsBlock: connection.groupsBlock,
    };
    const change = { kind: "replace_all" as const, state, source: path.basename(args[0] ?? "file") };
    try {
      const preview = await previewRuleChange(handle.db, actor, change);
      process.stdout.write(`${preview.summary}\n${describePreview(preview)}\n`);
      if (preview.refusal) fail(1, `Refused: ${preview.refusal}`);
      if (command === "diff") {
        if (preview.confirm)
          process.stdout.write(
            `Applying it needs --yes: ${String(Math.round(preview.losingShare * 100))}% of people would lose a role.\n`,
          );
        return;
      }
      if (preview.confirm && !values.yes)
        fail(
          1,
          `Not applied: ${String(Math.round(preview.losingShare * 100))}% of people would lose a role. Run again with --yes to confirm.`,
        );
      const result = await applyRuleChange(handle.db, actor, change, { token: preview.token, confirmation: true });
      process.stdout.write(
        `Applied (rules version ${String(result.version)}); roles changed for ${String(result.affected.length)} people.\n`,
      );
    } catch (err) {
      if (err instanceof RbacError) fail(1, err.userMessage);
      throw err;
    }
  } finally {
    await handle.close();
  }
}

function loadConnection(name: string): { config: Config; connection: Connection } {
  let config: Config;
  try {
    const file = process.env.CONNECTIONS_FILE;
    config = parseConfig(process.env, file ? { path: file, text: readFileSync(file, "utf8") } : undefined);
  } catch (err) {
    if (err instanceof ConfigError)
      fail(1, `This command reads porter's database, so it needs porter's environment:\n${err.message}`);
    throw err;
  }
  const connection = config.connections.find((c) => c.name === name);
  if (!connection) fail(1, `No connection named "${name}". Known: ${config.connections.map((c) => c.name).join(", ")}`);
  if (config.database.kind === "pglite") {
    const owner = pgliteOwner(pgliteLocation(config.database.dataDir));
    if (owner !== null)
      fail(
        1,
        `porter (process ${String(owner)}) has the embedded database open. Stop it, or use PostgreSQL (DATABASE_URL).`,
      );
  }
  return { config, connection };
}
