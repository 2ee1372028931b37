import "server-only";

export { getCompiledRuleSet, forgetRuleSet } from "./rule-sets";
export { syncSignIn, type SignInSync } from "./sync";
export { addRule, deleteRule, addCustomRole, deleteCustomRole, setDefaultRole, type Actor, type ChangeResult, type RoleChange } from "./manage-rules";
export { applySeedOnce } from "./apply-seed";
export { parseSeed, readSeedFile, type Seed } from "./seed";
export { getOrganizationRules, getUserTeams, getStoredRoles, listUsersWithRoles, listRecentSignInChanges, type OrganizationRules, type UserWithRoles } from "./queries";
export { organizationIdFor, groupsFilterFor } from "./organizations";
export { auditRulesChange } from "./audit-change";
