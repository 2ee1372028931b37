import type { Connection } from "../config";
import { listUserGroups, OktaApiError, type OktaApiCredential } from "../okta/users-api";
import { readGroupsClaim, resolveIdentity, type CompiledRuleSet, type GroupMapping } from "../rbac";

export type GroupsSourceKind = "id_token" | "users_api";

export interface SignInGroups {
  mapping: GroupMapping;
  source: GroupsSourceKind;
  /** The well-formed names the source sent, before porter's filter (kept on the user for previews). */
  sourceGroups: string[];
  /** Why the Users API was wanted but not used (Okta refused, rate limit, timeout), in Okta's words. */
  usersApiProblem: string | null;
}

/** What a connection's Okta API credential is made of. */
export type CredentialFields = Pick<Connection, "issuer" | "oktaApiToken" | "oktaServiceApp">;

/**
 * The Okta API credential of a connection, if it has one: its API Services app (Okta's recommendation)
 * before an SSWS token; the org URL is the issuer's origin.
 */
export function oktaApiCredential(
  connection: Partial<CredentialFields> & Pick<Connection, "issuer">,
): OktaApiCredential | null {
  const orgUrl = new URL(connection.issuer).origin;
  if (connection.oktaServiceApp) return { orgUrl, serviceApp: connection.oktaServiceApp };
  return connection.oktaApiToken ? { orgUrl, token: connection.oktaApiToken } : null;
}

/**
 * A signing-in person's groups: the ID token's claim, unless it cannot be the whole list (missing, or
 * exactly Okta's 100-group cap) and the connection has an Okta API credential; then Okta's Users API,
 * paged to the end. If Okta's API fails, the claim stands and the reason is kept for the audit log.
 * Either way the groups go through the one identity pipeline.
 */
export async function readSignInGroups(
  connection: CredentialFields,
  ruleSet: CompiledRuleSet,
  sub: string,
  claim: unknown,
  fetchImpl: typeof fetch = fetch,
): Promise<SignInGroups> {
  const fromClaim = resolveIdentity(ruleSet, { kind: "claim", claim });
  const claimResult: SignInGroups = {
    mapping: fromClaim,
    source: "id_token",
    sourceGroups: readGroupsClaim(claim).groups,
    usersApiProblem: null,
  };
  const credential = oktaApiCredential(connection);
  const incomplete = claim === undefined || claim === null || fromClaim.possiblyTruncated;
  if (!credential || !incomplete) return claimResult;
  try {
    const groups = await listUserGroups(credential, sub, fetchImpl);
    return {
      mapping: resolveIdentity(ruleSet, { kind: "groups", groups }),
      source: "users_api",
      sourceGroups: readGroupsClaim(groups).groups,
      usersApiProblem: null,
    };
  } catch (err) {
    if (!(err instanceof OktaApiError)) throw err;
    return { ...claimResult, usersApiProblem: `${err.userMessage}${err.fix ? ` ${err.fix}` : ""}` };
  }
}
