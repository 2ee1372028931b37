import { AppError } from "../core/app-error";

/**
 * RFC 8935 §2.4's error codes for a push porter refuses (400, `{"err", "description"}`), plus the two the
 * RFC leaves to HTTP: a missing or wrong authorization header (401), and porter's own trouble reading
 * Okta's keys (503: Okta should try again).
 */
export const SIGNAL_ERROR_STATUS = {
  invalid_request: 400,
  invalid_key: 400,
  invalid_issuer: 400,
  invalid_audience: 400,
  access_denied: 400,
  authentication_failed: 401,
  signals_unavailable: 503,
} as const;
export type SignalErrorCode = keyof typeof SIGNAL_ERROR_STATUS;

export class SignalError extends AppError<SignalErrorCode> {
  protected readonly statuses = SIGNAL_ERROR_STATUS;
}

export const refuseSet = (code: SignalErrorCode, description: string, cause?: unknown): SignalError =>
  new SignalError({ code, message: description, userMessage: description, cause });
