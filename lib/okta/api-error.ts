import { AppError } from "../core/app-error";

export type OktaApiErrorCode =
  | "okta_api_unauthorized"
  | "okta_api_forbidden"
  | "okta_api_rate_limited"
  | "okta_api_unavailable"
  | "okta_api_invalid";

/** Okta's management API (or its token endpoint) refused or failed, in Okta's words. */
export class OktaApiError extends AppError<OktaApiErrorCode> {
  /** For okta_api_rate_limited: when Okta's X-Rate-Limit-Reset says calls may resume. */
  retryAt?: Date;
}
