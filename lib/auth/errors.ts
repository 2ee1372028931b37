import { AppError } from "../core/app-error";
import { SIGN_IN_FAILURES, type SignInErrorCode } from "../core/sign-in-failures";

export { isSignInErrorCode, SIGN_IN_ERROR_CODES, type SignInErrorCode } from "../core/sign-in-failures";

const SIGN_IN_ERROR_STATUS = Object.fromEntries(
  Object.entries(SIGN_IN_FAILURES).map(([code, failure]) => [code, failure.status]),
) as Record<SignInErrorCode, number>;

/** A sign-in failure porter detected itself (in a callback), carried through Auth.js to the error page. */
export class AuthFlowError extends AppError<SignInErrorCode> {
  protected readonly statuses = SIGN_IN_ERROR_STATUS;
}

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
