import { AppError } from "../core/app-error";
import { logger } from "../log";
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "../db/unavailable";

export interface ErrorBody {
  error: { code: string; message: string; fix?: string };
}

/** Builds every JSON error response. Unknown errors become a logged, generic 500 that reveals nothing. */
export function toErrorResponse(err: unknown, headers?: HeadersInit): Response {
  if (err instanceof AppError) {
    const e = err as AppError;
    const body: ErrorBody = { error: { code: e.code, message: e.userMessage } };
    if (e.fix) body.error.fix = e.fix;
    return Response.json(body, { status: e.status, headers });
  }
  if (isDatabaseUnavailable(err)) {
    logger.warn({ err }, "database unavailable: answered 503");
    const h = new Headers(headers);
    h.set("retry-after", String(DATABASE_RETRY_AFTER_SECONDS));
    return jsonError(
      503,
      "database_unavailable",
      `porter's database is not reachable right now (a restart or failover). Nothing was changed; try again in ${String(DATABASE_RETRY_AFTER_SECONDS)} seconds.`,
      h,
    );
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
