import { isAppError } from "../core/app-error";
import { logger } from "../log";
import { databaseUnavailableResponse, isDatabaseUnavailable } from "../db/unavailable";

export interface ErrorBody {
  error: { code: string; message: string; fix?: string };
}

/** Builds every JSON error response. Unknown errors become a logged, generic 500 that reveals nothing. */
export function toErrorResponse(err: unknown, headers?: HeadersInit): Response {
  if (isAppError(err)) {
    const e = err;
    const body: ErrorBody = { error: { code: e.code, message: e.userMessage } };
    if (e.fix) body.error.fix = e.fix;
    return Response.json(body, { status: e.status, headers });
  }
  if (isDatabaseUnavailable(err)) {
    logger.warn({ err }, "database unavailable: answered 503");
    return databaseUnavailableResponse(headers);
  }
  logger.error({ err }, "unhandled error");
  const body: ErrorBody = {
    error: { code: "internal_error", message: "Something went wrong on our side. It has been logged." },
  };
  return Response.json(body, { status: 500, headers });
}

export function jsonError(status: number, code: string, message: string, headers?: HeadersInit): Response {
  const body: ErrorBody = { error: { code, message } };
  return Response.json(body, { status, headers });
}
