import { isMap, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { z } from "zod";
import { CREDENTIAL_CHANGE_POLICIES, GROUPS_SOURCE_SETTINGS, type Connection } from "./types";
import { CONNECTION_NAME_PATTERN, issuerSchema, REGIONS, regexSchema } from "./schemas";
import { ConfigError } from "./errors";
import { parseServiceApp } from "./service-app";

const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,63}$/;

const connectionSchema = z.strictObject({
  name: z.string().regex(CONNECTION_NAME_PATTERN, 'must be lowercase letters, digits and "-" (e.g. globex)'),
  issuer: issuerSchema,
  clientId: z.string().regex(/^[A-Za-z0-9._~-]{1,255}$/, "must be the Okta app's Client ID"),
  /** Secrets never live in the file: name the environment variable that holds it. Omit for a public (SPA) client. */
  clientSecretEnv: z
    .string()
    .regex(ENV_NAME, "must be the NAME of an environment variable (e.g. GLOBEX_CLIENT_SECRET), not the secret")
    .optional(),
  region: z.enum(REGIONS),
  scopes: z
    .string()
    .regex(/(^|\s)openid(\s|$)/, 'must include "openid"')
    .optional(),
  groupsClaim: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_.:-]{0,99}$/)
    .optional(),
  groupsAllow: regexSchema.optional(),
  groupsBlock: regexSchema.optional(),
  /** Break-glass groups of this organization (always admin); ADMIN_GROUPS applies to the default connection only. */
  adminGroups: z.array(z.string().min(1).max(255)).max(50).optional(),
  apiAudience: z.string().min(1).max(500).optional(),
  apiClientIds: z
    .array(z.string().regex(/^[A-Za-z0-9._~-]{1,255}$/))
    .min(1)
    .optional(),
  /** Rules as code for this organization (path relative to the working directory); else ORG_SEED_FILE. */
  seedFile: z.string().min(1).max(500).optional(),
  /** NAME of the environment variable holding an Okta API token (read-only admin) for the Apps API check. */
  oktaApiTokenEnv: z.string().regex(ENV_NAME, "must be the NAME of an environment variable, not the token").optional(),
  /** NAME of the environment variable holding the Event Hook's shared secret (Okta: Workflow > Event Hooks > Authentication secret). */
  eventHookSecretEnv: z
    .string()
    .regex(ENV_NAME, "must be the NAME of an environment variable, not the secret")
    .optional(),
  eventHookHeader: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/, "must be an HTTP header name")
    .optional(),
  /** An Okta API Services app (private_key_jwt): its client ID, and the NAME of the variable holding its private JWK. */
  serviceClientId: z.string().max(255).optional(),
  servicePrivateKeyEnv: z
    .string()
    .regex(ENV_NAME, "must be the NAME of an environment variable, not the key")
    .optional(),
  /** claim (default), users-api, or scim (groups Okta pushes over SCIM are the authority). */
  groupsSource: z.enum(GROUPS_SOURCE_SETTINGS).optional(),
  /** Only people Okta provisioned over SCIM may sign in. */
  requireProvisioning: z.boolean().optional(),
  /** NAME of the environment variable holding a SCIM bearer token for this organization. */
  scimTokenEnv: z.string().regex(ENV_NAME, "must be the NAME of an environment variable, not the token").optional(),
  /** Register a Shared Signals stream at Okta (needs an Okta API credential with ssf.manage and ssf.read). */
  sharedSignals: z.boolean().optional(),
  credentialChange: z.enum(CREDENTIAL_CHANGE_POLICIES).optional(),
});
const fileSchema = z.strictObject({ connections: z.array(connectionSchema).max(500) });

/**
 * Reads the connections file (JSON or YAML: YAML 1.2 parses both) into connections. Every problem is
 * reported at once with the field path and its line, so start-up can say exactly what to fix.
 */
export function parseConnectionsFile(
  file: { path: string; text: string },
  env: Record<string, string | undefined>,
): Connection[] {
  const lines = new LineCounter();
  const doc = parseDocument(file.text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) =>
    offset === undefined ? "" : ` (line ${String(lines.linePos(offset).line)})`;
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => `${file.path}${at(e.pos[0])}: ${e.message.split("\n")[0] ?? "cannot be parsed"}`),
    );
  }
  const parsed = fileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const node = doc.getIn(issue.path as (string | number)[], true) as Node | undefined;
        const where = issue.path
          .map((p) => (typeof p === "number" ? `[${String(p)}]` : `.${String(p)}`))
          .join("")
          .replace(/^\./, "");
        const range = node && (isMap(node) || isSeq(node) || "range" in node) ? node.range?.[0] : undefined;
        return `${file.path}${at(range)}: ${where || "document"} ${issue.message}`;
      }),
    );
  }
  const problems: string[] = [];
  const connections = parsed.data.connections.map((c, i) => {
    const secret = c.clientSecretEnv ? env[c.clientSecretEnv]?.trim() : undefined;
    if (c.clientSecretEnv && !secret)
      problems.push(
        `${file.path}: connections[${String(i)}].clientSecretEnv names ${c.clientSecretEnv}, which is not set in the environment`,
      );
    const apiToken = c.oktaApiTokenEnv ? env[c.oktaApiTokenEnv]?.trim() : undefined;
    const hookSecret = c.eventHookSecretEnv ? env[c.eventHookSecretEnv]?.trim() : undefined;
    if (c.eventHookSecretEnv && !hookSecret)
      problems.push(
        `${file.path}: connections[${String(i)}].eventHookSecretEnv names ${c.eventHookSecretEnv}, which is not set in the environment`,
      );
    const serviceApp = parseServiceApp(
      c.serviceClientId,
      c.servicePrivateKeyEnv ? env[c.servicePrivateKeyEnv]?.trim() || undefined : undefined,
      {
        clientId: `${file.path}: connections[${String(i)}].serviceClientId`,
        key: `${file.path}: connections[${String(i)}].servicePrivateKeyEnv (${c.servicePrivateKeyEnv ?? "unset"})`,
      },
    );
    if (typeof serviceApp === "string") problems.push(serviceApp);
    const scimToken = c.scimTokenEnv ? env[c.scimTokenEnv]?.trim() : undefined;
    if (c.scimTokenEnv && !scimToken)
      problems.push(
        `${file.path}: connections[${String(i)}].scimTokenEnv names ${c.scimTokenEnv}, which is not set in the environment`,
      );
    if (c.oktaApiTokenEnv && !apiToken)
      problems.push(
        `${file.path}: connections[${String(i)}].oktaApiTokenEnv names ${c.oktaApiTokenEnv}, which is not set in the environment`,
      );
    return Object.freeze({
      name: c.name,
      issuer: c.issuer,
      clientId: c.clientId,
      clientSecret: secret || undefined,
      region: c.region,
      scopes: c.scopes ?? "openid profile email",
      groupsClaim: c.groupsClaim ?? "groups",
      groupsAllow: c.groupsAllow ?? ".*",
      groupsBlock: c.groupsBlock,
      adminGroups: Object.freeze(c.adminGroups ?? []),
      apiAudience: c.apiAudience ?? "api://default",
      apiClientIds: Object.freeze(c.apiClientIds ?? [c.clientId]),
      seedFile: c.seedFile,
      oktaApiToken: apiToken || undefined,
      oktaServiceApp: typeof serviceApp === "object" ? serviceApp : undefined,
      eventHookSecret: hookSecret || undefined,
      eventHookHeader: (c.eventHookHeader ?? "authorization").toLowerCase(),
      groupsSource: c.groupsSource ?? "claim",
      requireProvisioning: c.requireProvisioning ?? false,
      scimToken: scimToken || undefined,
      sharedSignals: c.sharedSignals ?? false,
      credentialChange: c.credentialChange ?? "end_sessions_on_revoke",
    });
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return connections;
}
