import "server-only";

export { handleScim, type ScimAnswer, type ScimMethod } from "./router";
export { ScimError, scimError } from "./errors";
export { SCHEMAS } from "./resources";
export { oktaThroughToken, type ScimScope } from "./scope";
export {
  authenticateScimToken,
  createScimToken,
  listScimTokens,
  MAX_ACTIVE_TOKENS,
  revokeScimToken,
  syncConfiguredScimToken,
  type ScimTokenView,
} from "./tokens";
export { rulesMatchingNoGroup } from "./groups";
export { applyPushedGroups } from "./apply";
export { provisioningAtSignIn, type SignInProvisioning } from "./sign-in";
export { provisioningOverview, type ProvisioningOverview } from "./overview";
