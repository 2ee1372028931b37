import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The request a piece of work runs for, set by porter's server (server/serve.ts) around each request:
 * the socket peer's address, and its id (the proxy's X-Request-Id when the proxy is trusted, else porter's own) goes into every log line
 * and audit event written for it, so one id finds a request in the proxy's log, porter's and the audit log.
 * One instance per process (Next.js bundles this module more than once).
 */
export interface RequestContext {
  requestId: string;
  /**
   * The TCP peer's address, as the socket saw it: the one address no client can forge (a header could be
   * sent by anyone). Only porter's server sets it; lib/http/client-ip.ts reads it.
   */
  peer?: string;
  /** Set when the request failed because the database was unreachable (lib/db/unavailable.ts): answered 503. */
  databaseUnavailable?: boolean;
  /** Milliseconds this request spent waiting on Okta (its token endpoint at a sign-in's callback): logged with the request. */
  oktaMs?: number;
}

/** Adds time spent waiting on Okta to the request being served (its access-log line shows it). */
export function addOktaTime(ms: number): void {
  const store = requestContext.getStore();
  if (store) store.oktaMs = (store.oktaMs ?? 0) + ms;
}

export const REQUEST_ID_HEADER = "x-request-id";
/** What a request id may look like: nginx's $request_id (32 hex), a UUID, most tracing ids. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

const key = Symbol.for("porter.request-context");
export const requestContext: AsyncLocalStorage<RequestContext> = ((
  globalThis as typeof globalThis & { [key]?: AsyncLocalStorage<RequestContext> }
)[key] ??= new AsyncLocalStorage<RequestContext>());

/** The socket peer of the request being served, when porter's server runs it; else null. */
export function currentPeer(): string | null {
  return requestContext.getStore()?.peer ?? null;
}

/**
 * Marks this process as run by porter's own server (server/serve.ts), which sets the request context.
 * Start-up refuses to run in production without it: client addresses would be unknown.
 */
const served = Symbol.for("porter.served-by-porter");
export function markServedByPorter(): void {
  (globalThis as typeof globalThis & { [served]?: boolean })[served] = true;
}
export function isServedByPorter(): boolean {
  return (globalThis as typeof globalThis & { [served]?: boolean })[served] === true;
}

export function currentRequestId(): string | null {
  return requestContext.getStore()?.requestId ?? null;
}

/** The id a request carries: the one a trusted proxy sent, if it looks like an id; otherwise a new one. */
export function requestIdFor(
  sent: string | string[] | undefined,
  fromTrustedProxy: boolean,
  fresh: () => string,
): string {
  const value = Array.isArray(sent) ? sent[0] : sent;
  return fromTrustedProxy && value !== undefined && REQUEST_ID.test(value) ? value : fresh();
}
