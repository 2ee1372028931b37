import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Auth.js reports why a sign-in failed only through its logger, and redirects with a generic code.
 * Each auth request runs in this context so the handler wrapper can see the real cause.
 */
export const authRequestContext = new AsyncLocalStorage<{ errors: unknown[] }>();

export function captureAuthError(error: unknown): void {
  authRequestContext.getStore()?.errors.push(error);
}
