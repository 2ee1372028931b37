import type { Connection } from "../config";
import { OktaApiError, OktaClient } from "../okta";
import { readGroupsClaim, resolveIdentity, type CompiledRuleSet, type GroupMapping } from "../rbac";

export type { GroupsSourceKind } from "../db/schema";
import type { GroupsSourceKind } from "../db/schema";

export interface SignInGroups {
  mapping: GroupMapping;
  source: GroupsSourceKind;
  /** The well-formed names the source sent, before porter's filter (kept on the user for previews). */
  sourceGroups: string[];
  /** Why the Users API was wanted but not used (Okta refused, rate limit, timeout), in Okta's words. */
  usersApiProblem: string | null;
}

/**
 * A signing-in person's groups: the ID token's claim, unless it cannot be the whole list (missing, or
 * exactly Okta's 100-group cap) and the connection has an Okta API credential; then Okta's Users API,
 * paged to the end. If Okta's API fails, the claim stands and the reason is kept for the audit log.
 * Either way the groups go through the one identity pipeline. (With `groupsSource: users-api` the Users API
 * is read at every sign-in; with `scim`, see pushedSignInGroups.)
 */
export async function readSignInGroups(
  connection: Pick<Connection, "issuer" | "oktaApiToken" | "oktaServiceApp" | "groupsSource">,
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
  const okta = OktaClient.of(connection, fetchImpl);
  // groupsSource users-api: Okta's Users API always; else only when the claim cannot be the whole list.
  const incomplete =
    connection.groupsSource === "users-api" || claim === undefined || claim === null || fromClaim.possiblyTruncated;
  if (!okta || !incomplete) return claimResult;
  try {
    const groups = await okta.listUserGroups(sub);
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

/**
 * A signing-in person's groups when Okta pushes them over SCIM (`groupsSource: scim`): the pushed groups
 * are the authority, the token's claim is not read, and the sign-in changes no membership.
 */
export function pushedSignInGroups(ruleSet: CompiledRuleSet, pushed: readonly string[]): SignInGroups {
  return {
    mapping: resolveIdentity(ruleSet, { kind: "groups", groups: pushed }),
    source: "scim",
    sourceGroups: [...pushed],
    usersApiProblem: null,
  };
}
