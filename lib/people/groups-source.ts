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
 * Either way the groups go through the one identity pipeline.
 */
export async function readSignInGroups(
  connection: Pick<Connection, "issuer" | "oktaApiToken" | "oktaServiceApp">,
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
  const incomplete = claim === undefined || claim === null || fromClaim.possiblyTruncated;
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
