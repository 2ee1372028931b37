import "server-only";

export {
  ensureOrganization,
  groupsFilterFor,
  organizationFor,
  organizationIdFor,
  organizationNamed,
  type Organization,
} from "./organizations";
export { forgetRuleSet, ruleSetFor } from "./rule-sets";
export {
  bumpRulesVersion,
  effectiveGroupsFilter,
  getOrganizationRules,
  getRulesVersion,
  lockGroupWrites,
  lockOrganization,
  toRuleSetSpec,
  type OrganizationRules,
  type RuleDefaults,
} from "./queries";
