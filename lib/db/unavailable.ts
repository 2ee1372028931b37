/**
 * The database is unreachable (a restart, a failover): the one place that explains what porter does then.
 *
 * A request that needs the database and cannot reach it is answered 503 with Retry-After, never 500 and
 * never "you are signed out". Four steps, each a function of this module:
 * 1. The driver's error is recognised (isDatabaseUnavailable: connection codes, SQLSTATE class 08, 57P01-03),
 *    looking through drizzle's `cause` chain. New PostgreSQL connections were already retried for 3 s
 *    (lib/db/client.ts), so this is an outage, not a blip.
 * 2. Where porter catches the error itself, the request is marked (markDatabaseUnavailable): the
 *    session check (Auth.js would turn any error into "no session") and Next.js's onRequestError hook
 *    for errors nobody caught (instrumentation.ts).
 * 3. Route handlers answer with databaseUnavailableResponse() (through toErrorResponse); a page whose
 *    session check failed throws DatabaseUnavailableError instead of rendering "signed out".
 * 4. porter's server (server/serve.ts) turns the 500 of a marked request into 503 + Retry-After
 *    (answerMarkedRequestsWith503): the one status Next.js cannot be told to send for a page.
 */
import type { ServerResponse } from "node:http";
import { requestContext } from "../core/request-context";

/**
 * Step 1. Whether an error means "the database cannot be reached right now" (restarting, refusing connections,
 * connection cut) rather than a bug or bad data: such a request gets 503 with Retry-After, not 500.
 * Looks through `cause` chains (drizzle wraps the driver's error).
 */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
/** SQLSTATE class 08 (connection exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now). */
const SQLSTATE = /^(08\d{3}|57P0[123])$/;
const MESSAGES =
  /Connection terminated|terminating connection|the database system is (starting up|shutting down|in recovery mode)|Client has encountered a connection error|timeout exceeded when trying to connect/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    if (typeof e !== "object") return false;
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === "string" && (CONNECTION_CODES.has(code) || SQLSTATE.test(code))) return true;
    if (typeof message === "string" && MESSAGES.test(message)) return true;
    e = cause;
  }
  return false;
}

/** Seconds a client should wait before retrying while the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Thrown where a failure was already known to be the database's (the code is SQLSTATE 08006, connection failure). */
export class DatabaseUnavailableError extends Error {
  readonly code = "08006";
}

/** Step 2: marks the request being served as failed by the database (its 500 becomes 503 in step 4). */
export function markDatabaseUnavailable(): void {
  const store = requestContext.getStore();
  if (store) store.databaseUnavailable = true;
}

/** Whether this request was marked (step 2). */
export function databaseWasUnavailable(): boolean {
  return requestContext.getStore()?.databaseUnavailable === true;
}

/** Step 3: the JSON answer of a route handler. Nothing was changed: the client may simply retry. */
export function databaseUnavailableResponse(headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("retry-after", String(DATABASE_RETRY_AFTER_SECONDS));
  const message = `porter's database is not reachable right now (a restart or failover). Nothing was changed; try again in ${String(DATABASE_RETRY_AFTER_SECONDS)} seconds.`;
  return Response.json({ error: { code: "database_unavailable", message } }, { status: 503, headers: h });
}

/** Step 4: makes a marked request's 500 a 503 with Retry-After (porter's server calls it for every response). */
export function answerMarkedRequestsWith503(res: ServerResponse, marked: () => boolean): void {
  type WriteHead = (status: number, ...rest: unknown[]) => ServerResponse;
  const writeHead = res.writeHead.bind(res) as WriteHead;
  (res as unknown as { writeHead: WriteHead }).writeHead = (status, ...rest) => {
    if (status === 500 && marked()) {
      res.setHeader("retry-after", String(DATABASE_RETRY_AFTER_SECONDS));
      return writeHead(503, ...(typeof rest[0] === "string" ? rest.slice(1) : rest));
    }
    return writeHead(status, ...rest);
  };
}
