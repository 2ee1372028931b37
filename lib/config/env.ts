import { z } from "zod";
import { parseRateLimits } from "./rate-limits";
import { parseTrustedProxies } from "./trusted-proxies";
import { hookSecretProblems, publishedSecretProblems } from "./published-secrets";
import { parseServiceApp } from "./service-app";
import { CREDENTIAL_CHANGE_POLICIES, GROUPS_SOURCE_SETTINGS, type Config, type Connection } from "./types";
import { parseConnectionsFile } from "./connections-file";
import { ConfigError } from "./errors";
import { CONNECTION_NAME_PATTERN, issuerSchema, REGIONS, regexSchema } from "./schemas";
import { isAllowedScheme, parseUrl } from "./url-rules";

export { REGIONS, CONNECTION_NAME_PATTERN, type Region } from "./schemas";
export type { Config, Connection, DatabaseConfig } from "./types";

type Env = Record<string, string | undefined>;

/** Empty strings count as missing (a blank line in .env must not become a value). */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), schema.optional());
const required = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), schema);

function baseUrl(example: string) {
  return z.string().superRefine((value, ctx) => {
    const url = parseUrl(value);
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
      ctx.addIssue({ code: "custom", message: `must be an absolute URL, e.g. ${example}` });
    } else if (!isAllowedScheme(url)) {
      ctx.addIssue({ code: "custom", message: `must use https (http is allowed only for localhost), e.g. ${example}` });
    } else if (url.pathname !== "/" || url.search || url.hash) {
      ctx.addIssue({ code: "custom", message: `must be an origin without path, query or fragment, e.g. ${example}` });
    }
  });
}

const EXAMPLES: Record<string, string> = {
  AUTH_SECRET: "32 or more random characters (the output of `openssl rand -base64 32`)",
  APP_REGION: 'one of "eu" or "us"',
  OKTA_CLIENT_ID: "0oa1b2c3d4e5F6g7h8i9 (the Client ID on the Okta app's General tab)",
  OKTA_CONNECTION_NAME: 'acme (lowercase letters, digits and "-")',
  OKTA_REGION: 'one of "eu" or "us"',
  SESSION_MAX_AGE: "28800 (seconds, between 300 and 604800)",
  OKTA_LOG_POLL_SECONDS: "30 (seconds, 5 to 3600; 0 turns System Log polling off)",
  GROUPS_MAX_AGE: "300 (seconds, 30 to 86400)",
  GROUPS_GRACE: "900 (seconds, 0 to 86400)",
  DATABASE_URL: "postgres://user:password@db.internal:5432/porter",
  DATABASE_MIGRATION_URL: "postgres://porter_owner:password@db.internal:5432/porter (the tables' owner)",
  OKTA_SCOPES: '"openid profile email" (space-separated, must include openid)',
  APP_URL_EU: "https://porter.eu.example.com",
  APP_URL_US: "https://porter.us.example.com",
  OKTA_ISSUER: "https://acme.okta.com/oauth2/default",
  OKTA_API_AUDIENCE: "api://default (Security > API > Authorization Servers > default > Audience)",
  OKTA_API_CLIENT_IDS: "0oa1b2c3d4e5F6g7h8i9,0oa9cli0123456789 (comma-separated client IDs)",
  OKTA_API_TOKEN: "an Okta API token (Security > API > Tokens), read-only admin",
};

const schema = z.object({
  AUTH_SECRET: required(z.string().min(32, { message: `is too short: use ${EXAMPLES.AUTH_SECRET ?? ""}` })),
  APP_REGION: required(z.enum(REGIONS)),
  APP_URL_EU: required(baseUrl("https://porter.eu.example.com")),
  APP_URL_US: required(baseUrl("https://porter.us.example.com")),
  SESSION_MAX_AGE: optional(z.coerce.number().int().min(300).max(604800)),
  OKTA_LOG_POLL_SECONDS: optional(
    z.coerce
      .number()
      .int()
      .refine((n) => n === 0 || (n >= 5 && n <= 3600), "must be 0 (off) or 5 to 3600 seconds"),
  ),
  GROUPS_MAX_AGE: optional(z.coerce.number().int().min(30).max(86400)),
  GROUPS_GRACE: optional(z.coerce.number().int().min(0).max(86400)),
  TRUSTED_PROXIES: optional(z.string().max(2000)),
  RATE_LIMITS: optional(z.string().max(2000)),
  ADMIN_GROUPS: optional(z.string()),
  DATA_DIR: optional(z.string()),
  DATABASE_URL: optional(z.string().regex(/^postgres(?:ql)?:\/\/\S+$/)),
  DATABASE_MIGRATION_URL: optional(z.string().regex(/^postgres(?:ql)?:\/\/\S+$/)),
  OKTA_CONNECTION_NAME: optional(z.string().regex(CONNECTION_NAME_PATTERN)),
  OKTA_ISSUER: required(issuerSchema),
  OKTA_CLIENT_ID: required(z.string().regex(/^[A-Za-z0-9._~-]{1,255}$/)),
  OKTA_CLIENT_SECRET: optional(z.string()),
  OKTA_REGION: optional(z.enum(REGIONS)),
  OKTA_SCOPES: optional(z.string().regex(/(^|\s)openid(\s|$)/)),
  OKTA_GROUPS_CLAIM: optional(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.:-]{0,99}$/)),
  OKTA_GROUPS_ALLOW: optional(regexSchema),
  OKTA_GROUPS_BLOCK: optional(regexSchema),
  OKTA_API_AUDIENCE: optional(z.string().min(1).max(500)),
  OKTA_API_CLIENT_IDS: optional(z.string().regex(/^\s*[A-Za-z0-9._~-]{1,255}(\s*,\s*[A-Za-z0-9._~-]{1,255})*\s*$/)),
  ORG_SEED_FILE: optional(z.string()),
  OKTA_API_TOKEN: optional(z.string().max(200)),
  OKTA_SERVICE_CLIENT_ID: optional(z.string().max(255)),
  OKTA_SERVICE_PRIVATE_KEY: optional(z.string().max(20_000)),
  PLATFORM_ADMIN_GROUPS: optional(z.string()),
  CONNECTIONS_FILE: optional(z.string()),
  OKTA_EVENT_HOOK_SECRET: optional(
    z.string().min(32, { message: "is too short: use 32 or more random characters" }).max(500),
  ),
  OKTA_EVENT_HOOK_HEADER: optional(z.string().regex(/^[A-Za-z0-9-]{1,64}$/)),
  OKTA_GROUPS_SOURCE: optional(z.enum(GROUPS_SOURCE_SETTINGS)),
  OKTA_REQUIRE_PROVISIONING: optional(z.enum(["true", "false"])),
  OKTA_SHARED_SIGNALS: optional(z.enum(["true", "false"])),
  OKTA_CREDENTIAL_CHANGE: optional(z.enum(CREDENTIAL_CHANGE_POLICIES)),
  OKTA_SCIM_TOKEN: optional(z.string().min(20, { message: "is too short: use 32 or more random characters" }).max(500)),
  HEALTH_TOKEN: optional(z.string().min(32, { message: "is too short: use 32 or more random characters" }).max(200)),
});

function describeIssue(issue: z.core.$ZodIssue, env: Env): string {
  const variable = String(issue.path[0] ?? "environment");
  if ((env[variable] ?? "").trim() === "") return `${variable} is missing. Example: ${exampleFor(variable)}`;
  if (issue.code === "custom") return `${variable} ${issue.message}`;
  if (
    issue.code === "too_small" &&
    (variable === "AUTH_SECRET" || variable === "HEALTH_TOKEN" || variable === "OKTA_EVENT_HOOK_SECRET")
  )
    return `${variable} ${issue.message}`;
  return `${variable} is invalid. Example: ${exampleFor(variable)}`;
}

function exampleFor(variable: string): string {
  return EXAMPLES[variable] ?? "a valid value (see .env.example)";
}

/**
 * Connections on one Okta authorization server must not accept the same client ID: a bearer token maps to
 * its organization by issuer and `cid`, and would silently land in the first one.
 */
function sharedClientIds(connections: readonly Connection[]): string[] {
  const owner = new Map<string, string>();
  const problems: string[] = [];
  for (const c of connections) {
    for (const id of new Set([c.clientId, ...c.apiClientIds])) {
      const key = `${c.issuer}\u0000${id}`;
      const first = owner.get(key);
      if (first && first !== c.name)
        problems.push(
          `connections ${first} and ${c.name} share the issuer ${c.issuer} and both accept the client ID ${id}: give each organization its own Okta app (clientId / apiClientIds)`,
        );
      else owner.set(key, c.name);
    }
  }
  return problems;
}

function splitList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((g) => g.trim())
    .filter(Boolean);
}

/** A connections file's text, read by the caller (parseConfig itself does no I/O). */
export interface ConnectionsFileInput {
  path: string;
  text: string;
}

/** Parses the environment into a frozen Config, or throws one ConfigError listing every problem. */
export function parseConfig(env: Env, connectionsFile?: ConnectionsFileInput): Config {
  const result = schema.safeParse(env);
  if (!result.success) throw new ConfigError(result.error.issues.map((issue) => describeIssue(issue, env)));
  const e = result.data;
  const serviceApp = parseServiceApp(e.OKTA_SERVICE_CLIENT_ID, e.OKTA_SERVICE_PRIVATE_KEY, {
    clientId: "OKTA_SERVICE_CLIENT_ID",
    key: "OKTA_SERVICE_PRIVATE_KEY",
  });
  if (typeof serviceApp === "string") throw new ConfigError([serviceApp]);
  const trustedProxies = parseTrustedProxies(e.TRUSTED_PROXIES);
  if (typeof trustedProxies === "string") throw new ConfigError([trustedProxies]);
  const rateLimits = parseRateLimits(e.RATE_LIMITS);
  if (typeof rateLimits === "string") throw new ConfigError([rateLimits]);
  const regionUrls = { eu: new URL(e.APP_URL_EU).origin, us: new URL(e.APP_URL_US).origin };
  const dataDir = e.DATA_DIR ?? "./data";
  const connection: Connection = Object.freeze({
    name: e.OKTA_CONNECTION_NAME ?? "okta",
    issuer: e.OKTA_ISSUER,
    clientId: e.OKTA_CLIENT_ID,
    clientSecret: e.OKTA_CLIENT_SECRET,
    region: e.OKTA_REGION ?? e.APP_REGION,
    scopes: e.OKTA_SCOPES ?? "openid profile email",
    groupsClaim: e.OKTA_GROUPS_CLAIM ?? "groups",
    groupsAllow: e.OKTA_GROUPS_ALLOW ?? ".*",
    groupsBlock: e.OKTA_GROUPS_BLOCK,
    adminGroups: Object.freeze(splitList(e.ADMIN_GROUPS)),
    apiAudience: e.OKTA_API_AUDIENCE ?? "api://default",
    apiClientIds: Object.freeze(
      e.OKTA_API_CLIENT_IDS ? e.OKTA_API_CLIENT_IDS.split(",").map((c) => c.trim()) : [e.OKTA_CLIENT_ID],
    ),
    seedFile: undefined,
    oktaApiToken: e.OKTA_API_TOKEN,
    oktaServiceApp: serviceApp,
    eventHookSecret: e.OKTA_EVENT_HOOK_SECRET,
    eventHookHeader: (e.OKTA_EVENT_HOOK_HEADER ?? "authorization").toLowerCase(),
    groupsSource: e.OKTA_GROUPS_SOURCE ?? "claim",
    requireProvisioning: e.OKTA_REQUIRE_PROVISIONING === "true",
    scimToken: e.OKTA_SCIM_TOKEN,
    sharedSignals: e.OKTA_SHARED_SIGNALS === "true",
    credentialChange: e.OKTA_CREDENTIAL_CHANGE ?? "end_sessions_on_revoke",
  });
  const more = connectionsFile ? parseConnectionsFile(connectionsFile, env) : [];
  const names = new Set([connection.name]);
  const duplicates = more.filter((c) => names.has(c.name) || !names.add(c.name)).map((c) => c.name);
  if (duplicates.length > 0) {
    throw new ConfigError([
      `${connectionsFile?.path ?? "CONNECTIONS_FILE"}: connection name(s) ${duplicates.join(", ")} used twice (OKTA_CONNECTION_NAME is "${connection.name}")`,
    ]);
  }
  const all = [connection, ...more];
  const clash = [...sharedClientIds(all), ...hookSecretProblems(all), ...publishedSecretProblems(e.AUTH_SECRET, all)];
  if (clash.length > 0) throw new ConfigError(clash);
  return Object.freeze({
    region: e.APP_REGION,
    publicUrl: regionUrls[e.APP_REGION],
    regionUrls: Object.freeze(regionUrls),
    authSecret: e.AUTH_SECRET,
    sessionMaxAgeSeconds: e.SESSION_MAX_AGE ?? 8 * 60 * 60,
    platformAdminGroups: Object.freeze(splitList(e.PLATFORM_ADMIN_GROUPS)),
    dataDir,
    database: e.DATABASE_URL
      ? {
          kind: "postgres" as const,
          url: e.DATABASE_URL,
          ...(e.DATABASE_MIGRATION_URL ? { migrationUrl: e.DATABASE_MIGRATION_URL } : {}),
        }
      : { kind: "pglite" as const, dataDir },
    connections: Object.freeze(all),
    orgSeedFile: e.ORG_SEED_FILE,
    healthToken: e.HEALTH_TOKEN,
    logPollSeconds: e.OKTA_LOG_POLL_SECONDS ?? 30,
    groupsMaxAgeSeconds: e.GROUPS_MAX_AGE ?? 300,
    groupsGraceSeconds: e.GROUPS_GRACE ?? 900,
    trustedProxies,
    rateLimits,
  });
}
