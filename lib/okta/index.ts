export { getOidcMetadata, discoveryUrl, DISCOVERY_TIMEOUT_MS, type OidcMetadata } from "./discovery";
export { verifyIdToken, type IdTokenExpectations } from "./verify-id-token";
export { OktaError, type OktaErrorCode } from "./errors";
export {
  AccessTokenVerifier,
  BearerError,
  looksLikeJwt,
  peekIssuerAndClient,
  type AccessTokenVerifierOptions,
  type BearerErrorCode,
  type VerifiedAccessToken,
} from "./access-tokens";
export { isOrgAuthorizationServer } from "./authorization-server";
