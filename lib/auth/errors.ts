import { AppError } from "../core/app-error";

export const SIGN_IN_ERROR_CODES = [
  "access_denied",
  "user_not_assigned",
  "idp_error",
  "state_invalid",
  "nonce_invalid",
  "code_invalid",
  "id_token_invalid",
  "issuer_mismatch",
  "too_many_groups",
  "invalid_client",
  "issuer_unreachable",
  "issuer_timeout",
  "unknown_connection",
  "wrong_region_callback",
  "initiate_iss_mismatch",
  "unsolicited_token",
  "configuration",
] as const;
export type SignInErrorCode = (typeof SIGN_IN_ERROR_CODES)[number];

export function isSignInErrorCode(value: unknown): value is SignInErrorCode {
  return typeof value === "string" && (SIGN_IN_ERROR_CODES as readonly string[]).includes(value);
}

/** A sign-in failure porter detected itself (in a callback), carried through Auth.js to the error page. */
export class AuthFlowError extends AppError<SignInErrorCode> {}

/** OAuth error codes an IdP may send back (RFC 6749 4.1.2.1, OIDC Core 3.1.2.6): safe to echo. */
export const OAUTH_ERROR_CODES = [
  "invalid_request",
  "unauthorized_client",
  "access_denied",
  "unsupported_response_type",
  "invalid_scope",
  "server_error",
  "temporarily_unavailable",
  "login_required",
  "consent_required",
  "interaction_required",
  "account_selection_required",
] as const;
