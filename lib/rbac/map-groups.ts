import type { CompiledRuleSet, Resolution } from "./compile-rule-set";
import { filterGroups, type GroupsFilter } from "./filter-groups";
import { readGroupsClaim, type GroupsClaimProblem } from "./read-groups-claim";

export interface GroupMapping extends Resolution {
  /** Groups left after reading the claim and applying the connection's filter: the person's teams. */
  readonly keptGroups: readonly string[];
  readonly rawGroupCount: number;
  readonly possiblyTruncated: boolean;
  readonly claimProblems: readonly GroupsClaimProblem[];
}

/** The whole pipeline: raw groups claim (any shape) -> app-side filter -> rules -> roles, permissions, provenance. */
export function mapGroups(claim: unknown, filter: GroupsFilter, ruleSet: CompiledRuleSet): GroupMapping {
  const read = readGroupsClaim(claim);
  const keptGroups = filterGroups(read.groups, filter);
  return {
    keptGroups,
    rawGroupCount: read.rawCount,
    possiblyTruncated: read.possiblyTruncated,
    claimProblems: read.problems,
    ...ruleSet.resolve(keptGroups),
  };
}
