export { readGroupsClaim, OKTA_GROUPS_CLAIM_CAP, MAX_GROUP_ENTRIES, MAX_GROUP_NAME_LENGTH } from "./read-groups-claim";
export type { GroupsClaim, GroupsClaimProblem } from "./read-groups-claim";
export { compileRegex, type CompiledRegex, type RegexResult } from "./compile-regex";
export { compileGroupsFilter, filterGroups, type GroupsFilter, type GroupsFilterSpec } from "./filter-groups";
