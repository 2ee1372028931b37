export { readGroupsClaim, OKTA_GROUPS_CLAIM_CAP, MAX_GROUP_ENTRIES, MAX_GROUP_NAME_LENGTH } from "./read-groups-claim";
export type { GroupsClaim, GroupsClaimProblem } from "./read-groups-claim";
export { compileRegex, type CompiledRegex, type RegexResult } from "./compile-regex";
export { compileGroupsFilter, filterGroups, type GroupsFilter, type GroupsFilterSpec } from "./filter-groups";
export * from "./permissions";
export * from "./rule-set";
export { compileRuleSet, type CompiledRuleSet, type Resolution, type RoleGrant, type Via } from "./compile-rule-set";
export { mapGroups, type GroupMapping } from "./map-groups";
export { hasPermission, missingPermissionToEditService, type Access } from "./service-access";
export { RbacError, forbiddenError, type RbacErrorCode } from "./errors";
export type { Principal } from "./principal";
export { planChange, checkState, type RuleChange, type RulesState, type PlannedChange } from "./plan-change";
export {
  previewChange,
  describePreview,
  previewRefusal,
  needsConfirmation,
  CONFIRM_LOSING_SHARE,
  type ChangePreview,
  type KnownUser,
  type RoleChange,
} from "./preview-change";
export { resolveIdentity, type GroupsSource } from "./resolve-identity";
