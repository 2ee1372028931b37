import type { CompiledRuleSet } from "./compile-rule-set";
import { mapGroups, type GroupMapping } from "./map-groups";

/** Where a person's groups come from. */
export type GroupsSource =
  /** A token's groups claim, of any shape (ID token at sign-in, access token on the bearer API). */
  | { kind: "claim"; claim: unknown }
  /** A list of group names already read (the Users API, an Okta event, or the person's teams on record). */
  | { kind: "groups"; groups: readonly string[] };

/**
 * The one identity pipeline: whatever the groups came from, they go through the organization's filter
 * and rules (break-glass included, inside the rule set) to kept groups, roles with provenance and
 * permissions. Sign-in, each request's session, the bearer API and previews all call this; nothing
 * else turns groups into roles.
 */
export function resolveIdentity(ruleSet: CompiledRuleSet, source: GroupsSource): GroupMapping {
  if (source.kind === "claim") return mapGroups(source.claim, ruleSet.filter, ruleSet);
  // A list read whole (the Users API pages to the end; an event names one group) is never a truncated claim.
  return { ...mapGroups(source.groups, ruleSet.filter, ruleSet), possiblyTruncated: false };
}
