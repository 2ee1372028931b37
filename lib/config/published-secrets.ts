import { isLoopbackHost } from "./url-rules";
import type { Connection } from "./types";

/**
 * Secrets anyone can read in porter's repository (the demo's): a deployment that talks to a real Okta org
 * must not run with them. Checked at start whenever some issuer is not on loopback (the demo's devidp is).
 */
const PUBLISHED = [/-demo-secret-change-me$/, /^devidp-demo-/, /^not-the-secret-okta-has$/, /^porter-demo-/];
/** The start of the demo API Services app's RSA modulus (demo/keys/acme-dir-service-app.private.json). */
const DEMO_SERVICE_KEY_MODULUS = "kGQmlMqA0r8MIgi8GdY_z1oWy-2MVwh0";
/** Fewer distinct characters than this is not a random secret ("aaaa…", "xxxx…", "abab…"). */
const MIN_DISTINCT_CHARACTERS = 10;

const published = (value: string | undefined) => value !== undefined && PUBLISHED.some((p) => p.test(value));

/** Whether the deployment talks to a real Okta org: some issuer is not on loopback. */
export function talksToRealOkta(connections: readonly Pick<Connection, "issuer">[]): boolean {
  return connections.some((c) => !isLoopbackHost(new URL(c.issuer).hostname));
}

/**
 * The problems of a deployment whose secrets anyone could know: the demo's published secrets, keys and
 * tokens, or an AUTH_SECRET that is one character repeated. One line per problem, naming the setting.
 */
export function publishedSecretProblems(authSecret: string, connections: readonly Connection[]): string[] {
  if (!talksToRealOkta(connections)) return [];
  const problems: string[] = [];
  if (new Set(authSecret).size < MIN_DISTINCT_CHARACTERS)
    problems.push(
      "AUTH_SECRET is not random (it repeats a few characters): use the output of `openssl rand -base64 32`",
    );
  for (const c of connections) {
    const where = `connection ${c.name}`;
    if (published(c.clientSecret)) problems.push(`${where}: the client secret is the demo's published one`);
    if (published(c.eventHookSecret)) problems.push(`${where}: the Event Hook secret is the demo's published one`);
    if (published(c.oktaApiToken)) problems.push(`${where}: the Okta API token is the demo's published one`);
    if (published(c.scimToken)) problems.push(`${where}: the SCIM token is the demo's published one`);
    const n = c.oktaServiceApp?.privateKey.n;
    if (typeof n === "string" && n.startsWith(DEMO_SERVICE_KEY_MODULUS))
      problems.push(
        `${where}: the API Services app's private key is the demo's published one (make a new key in Okta)`,
      );
  }
  return problems;
}

/** Event Hook secrets: long enough to be guessed by no one, and never shared by two organizations. */
export const MIN_HOOK_SECRET_LENGTH = 32;

export function hookSecretProblems(connections: readonly Connection[]): string[] {
  const problems: string[] = [];
  const owner = new Map<string, string>();
  for (const c of connections) {
    if (!c.eventHookSecret) continue;
    if (c.eventHookSecret.length < MIN_HOOK_SECRET_LENGTH)
      problems.push(
        `connection ${c.name}: the Event Hook secret is shorter than ${String(MIN_HOOK_SECRET_LENGTH)} characters (use the output of \`openssl rand -base64 32\`)`,
      );
    const first = owner.get(c.eventHookSecret);
    if (first)
      problems.push(
        `connections ${first} and ${c.name} share one Event Hook secret: give each organization its own, or one organization's Okta could write to another's`,
      );
    else owner.set(c.eventHookSecret, c.name);
  }
  return problems;
}
