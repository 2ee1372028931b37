import "server-only";

export { getCompiledRuleSet, forgetRuleSet } from "./rule-sets";
export { syncSignIn, type SignInSync } from "./sync";
export {
  addRule,
  editRule,
  deleteRule,
  addCustomRole,
  deleteCustomRole,
  setDefaultRole,
  applyRuleChange,
  previewRuleChange,
  rulesState,
  StalePreviewError,
  type Actor,
  type ApplyOptions,
  type ChangeResult,
  type RoleChange,
  type RulePreview,
} from "./manage-rules";
export { applySeedOnce } from "./apply-seed";
export { parseSeed, readSeedFile, type Seed } from "./seed";
export {
  getOrganizationRules,
  getUserTeams,
  getStoredRoles,
  listRecentSignInChanges,
  type OrganizationRules,
} from "./queries";
export { organizationIdFor, groupsFilterFor } from "./organizations";
export { readSignInGroups, oktaApiCredential, type SignInGroups } from "./sign-in-groups";
export { requestRuleChange, toPreviewView, type PreviewView, type RuleChangeOutcome } from "./request-rule-change";
export {
  listSeenGroups,
  listUsersPage,
  parseUsersQuery,
  getUserDetail,
  iterateAccessReview,
  listRoleNamesInUse,
  encodeUsersCursor,
  type UserDetail,
  type UserListRow,
  type UsersQuery,
} from "./users";
export { parseRulesDocument, formatRulesDocument, MAX_DOCUMENT_RULES } from "./rules-document";
