/**
 * Every way a sign-in can fail, in one table: the code the error page, the audit log and the tests use,
 * the HTTP status of the refusal, and the reason in Okta's words for the audit page. A new failure is one
 * line here; the error page's explanation (lib/auth/describe-sign-in-error.ts) is then required by the compiler.
 */
export const SIGN_IN_FAILURES = {
  access_denied: { status: 403, reason: "sign-in cancelled or denied at Okta" },
  user_not_assigned: { status: 403, reason: "user not assigned to the app in Okta" },
  idp_error: { status: 502, reason: "Okta returned an error" },
  state_invalid: { status: 400, reason: "bad state (expired, replayed or forged callback)" },
  nonce_invalid: { status: 400, reason: "ID token nonce mismatch" },
  code_invalid: { status: 400, reason: "authorization code used or expired (invalid_grant)" },
  id_token_invalid: { status: 401, reason: "ID token failed verification" },
  issuer_mismatch: { status: 502, reason: "issuer mismatch" },
  too_many_groups: { status: 400, reason: "too many groups for the groups claim" },
  invalid_client: { status: 401, reason: "wrong client ID or secret (invalid_client)" },
  issuer_unreachable: { status: 502, reason: "Okta unreachable" },
  issuer_timeout: { status: 504, reason: "Okta did not answer in time" },
  unknown_connection: { status: 404, reason: "unknown organization" },
  wrong_region_callback: { status: 400, reason: "callback at the wrong region" },
  initiate_iss_mismatch: { status: 400, reason: "initiate login with a wrong iss" },
  unsolicited_token: { status: 400, reason: "token sent directly (unsolicited)" },
  organization_busy: { status: 429, reason: "more sign-ins for the organization this minute than its limit" },
  not_provisioned: { status: 403, reason: "not provisioned by Okta (SCIM) and the organization requires it" },
  deprovisioned: { status: 403, reason: "deactivated by Okta over SCIM (active: false)" },
  configuration: { status: 500, reason: "server problem" },
} as const satisfies Record<string, { status: number; reason: string }>;

export type SignInErrorCode = keyof typeof SIGN_IN_FAILURES;
export const SIGN_IN_ERROR_CODES = Object.keys(SIGN_IN_FAILURES) as SignInErrorCode[];

export function isSignInErrorCode(value: unknown): value is SignInErrorCode {
  return typeof value === "string" && Object.hasOwn(SIGN_IN_FAILURES, value);
}
