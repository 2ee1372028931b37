import type { CompiledRuleSet, Resolution } from "./compile-rule-set";
import type { GroupsFilter } from "./filter-groups";
import { OKTA_GROUPS_CLAIM_CAP, readGroupsClaim, type GroupsClaimProblem } from "./read-groups-claim";

export interface GroupMapping extends Resolution {
  /** Groups left after reading the claim and applying the connection's filter: the person's teams. */
  readonly keptGroups: readonly string[];
  readonly rawGroupCount: number;
  readonly possiblyTruncated: boolean;
  readonly claimProblems: readonly GroupsClaimProblem[];
}

/** The whole pipeline: raw groups claim (any shape) -> app-side filter -> rules -> roles, permissions, provenance. */
export function mapGroups(claim: unknown, filter: GroupsFilter, ruleSet: CompiledRuleSet): GroupMapping {
  if (!Array.isArray(claim)) {
    const read = readGroupsClaim(claim);
    return {
      keptGroups: [],
      rawGroupCount: 0,
      possiblyTruncated: false,
      claimProblems: read.problems,
      ...ruleSet.resolve([]),
    };
  }
  const items: readonly unknown[] = claim;
  const { keptGroups, problems, roles, permissions, defaultRoleApplied } = ruleSet.resolveClaim(items, filter);
  return {
    keptGroups,
    rawGroupCount: items.length,
    possiblyTruncated: items.length === OKTA_GROUPS_CLAIM_CAP,
    claimProblems: problems,
    roles,
    permissions,
    defaultRoleApplied,
  };
}
