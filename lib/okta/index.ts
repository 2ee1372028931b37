/**
 * porter's one door to Okta: every call to Okta (discovery, keys, tokens, the management API) and every
 * check of what Okta sends (ID tokens, access tokens, Event Hook deliveries, Universal Logout tokens)
 * goes through this room, which owns the credentials, timeouts, back-off and error mapping, and the
 * catalogue of what to change in the Okta Admin Console.
 */
export {
  getDiscoveryDocument,
  getOidcMetadata,
  discoveryUrl,
  DISCOVERY_TIMEOUT_MS,
  type OidcMetadata,
} from "./discovery";
export { verifyIdToken, type IdTokenExpectations } from "./verify-id-token";
export {
  BearerError,
  HookError,
  LogoutError,
  OktaApiError,
  OktaError,
  type BearerErrorCode,
  type HookErrorCode,
  type LogoutErrorCode,
  type OktaApiErrorCode,
  type OktaErrorCode,
} from "./errors";
export {
  AccessTokenVerifier,
  looksLikeJwt,
  peekIssuerAndClient,
  type AccessTokenVerifierOptions,
  type VerifiedAccessToken,
} from "./access-tokens";
export { isOrgAuthorizationServer } from "./authorization-server";
export {
  nextLink,
  OKTA_API_TIMEOUT_MS,
  OktaClient,
  oktaApiCredential,
  resetOktaApiBackoff,
  type CredentialFields,
  type OktaApiCredential,
} from "./client";
export { refreshAtOkta, type RefreshAnswer } from "./token-endpoint";
export { APP, FIXES, inAdminConsole, OKTA_SERVICE_SCOPES, PLACES } from "./admin-console";
export { oktaFetch, OKTA_CALL_TIMEOUT_MS } from "./okta-fetch";
export {
  authenticateHookCall,
  logEvent,
  MAX_HOOK_BODY,
  readHookBody,
  readHookDelivery,
  verificationResponse,
  type HookDelivery,
  type OktaLogEvent,
} from "./event-hook";
export {
  LOGOUT_TOKEN_TYPE,
  logoutIssuers,
  MAX_LOGOUT_BODY,
  parseLogoutSubject,
  verifyLogoutToken,
  type LogoutSubject,
  type LogoutToken,
} from "./global-token-revocation";
