import "server-only";

export { ensureOrganization, groupsFilterFor, organizationIdFor } from "./organizations";
export { forgetRuleSet, getCompiledRuleSet } from "./rule-sets";
export {
  bumpRulesVersion,
  effectiveGroupsFilter,
  getOrganizationRules,
  getRulesVersion,
  lockOrganization,
  toRuleSetSpec,
  type OrganizationRules,
  type RuleDefaults,
} from "./queries";
