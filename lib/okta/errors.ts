import { AppError } from "../core/app-error";

/**
 * The errors of porter's one door to Okta, each domain's codes with their HTTP status in one table.
 * A throw names a code; the status comes from here.
 */

/** Okta's OpenID Connect metadata and ID tokens. */
export const OKTA_ERROR_STATUS = {
  issuer_unreachable: 502,
  discovery_invalid: 502,
  issuer_mismatch: 502,
  id_token_invalid: 401,
  id_token_signature_invalid: 401,
} as const;
export type OktaErrorCode = keyof typeof OKTA_ERROR_STATUS;
export class OktaError extends AppError<OktaErrorCode> {
  protected readonly statuses = OKTA_ERROR_STATUS;
}

/** Okta's management API (or its token endpoint) refused or failed, in Okta's words. */
export const OKTA_API_ERROR_STATUS = {
  okta_api_unauthorized: 502,
  okta_api_forbidden: 502,
  okta_api_rate_limited: 503,
  okta_api_unavailable: 503,
  okta_api_invalid: 502,
} as const;
export type OktaApiErrorCode = keyof typeof OKTA_API_ERROR_STATUS;
export class OktaApiError extends AppError<OktaApiErrorCode> {
  protected readonly statuses = OKTA_API_ERROR_STATUS;
  /** For okta_api_rate_limited: when Okta's X-Rate-Limit-Reset says calls may resume. */
  retryAt?: Date;
}

/** An Event Hook delivery porter refuses (Okta does not retry a 4xx). */
export const HOOK_ERROR_STATUS = {
  hook_unauthenticated: 401,
  hook_malformed: 400,
  hook_not_configured: 404,
} as const;
export type HookErrorCode = keyof typeof HOOK_ERROR_STATUS;
export class HookError extends AppError<HookErrorCode> {
  protected readonly statuses = HOOK_ERROR_STATUS;
}

/** A Universal Logout (Global Token Revocation) request porter refuses; Okta reads only the status. */
export const LOGOUT_ERROR_STATUS = {
  logout_unauthenticated: 401,
  logout_forbidden: 403,
  logout_malformed: 400,
  logout_unknown_format: 400,
  logout_unknown_user: 404,
  logout_replayed: 401,
  /** Okta's keys or discovery could not be read: nobody was logged out (the profile's 422). */
  logout_unavailable: 422,
} as const;
export type LogoutErrorCode = keyof typeof LOGOUT_ERROR_STATUS;
export class LogoutError extends AppError<LogoutErrorCode> {
  protected readonly statuses = LOGOUT_ERROR_STATUS;
}

/** RFC 6750 error codes of a refused bearer token, with their statuses. */
export const BEARER_ERROR_STATUS = {
  invalid_request: 400,
  invalid_token: 401,
  insufficient_scope: 403,
} as const;
export type BearerErrorCode = keyof typeof BEARER_ERROR_STATUS;

/** A refused bearer token: 401 (or 403 for a missing scope) with a WWW-Authenticate header saying why. */
export class BearerError extends AppError<BearerErrorCode> {
  protected readonly statuses = BEARER_ERROR_STATUS;
  readonly scope: string | undefined;
  constructor(code: BearerErrorCode, description: string, scope?: string) {
    super({ code, message: description, userMessage: description });
    this.scope = scope;
  }

  /** The header value: only printable ASCII ever reaches it (a claim with CR/LF must not split the response). */
  get wwwAuthenticate(): string {
    const quote = (s: string) => s.replace(/[^\x20-\x7e]|["\\]/g, "");
    return `Bearer error="${this.code}", error_description="${quote(this.userMessage)}"${this.scope ? `, scope="${quote(this.scope)}"` : ""}`;
  }
}
