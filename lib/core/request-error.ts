import { AppError } from "./app-error";

/** What a request itself got wrong (or where it went), whatever the route. */
export const REQUEST_ERROR_STATUS = {
  body_too_large: 413,
  unsupported_media_type: 415,
  invalid_json: 400,
  invalid_body: 400,
  unauthenticated: 401,
  not_found: 404,
  /** The organization lives in the other region's deployment (RFC 9110 421 Misdirected Request). */
  wrong_region: 421,
  rate_limited: 429,
} as const;
export type RequestErrorCode = keyof typeof REQUEST_ERROR_STATUS;

export class RequestError extends AppError<RequestErrorCode> {
  protected readonly statuses = REQUEST_ERROR_STATUS;
}
