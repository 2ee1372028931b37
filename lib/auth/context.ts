import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Auth.js reports why a sign-in failed only through its logger, and redirects with a generic code.
 * Each auth request runs in this context so the handler wrapper can see the real cause.
 */
export const authRequestContext = new AsyncLocalStorage<{ errors: unknown[] }>();

export function captureAuthError(error: unknown): void {
  authRequestContext.getStore()?.errors.push(error);
}

/** Runs an Auth.js call and returns its result with the last error it logged or threw (if any). */
export async function runCapturingAuthErrors<T>(
  fn: () => Promise<T>,
): Promise<{ value: T | undefined; error: unknown }> {
  const store = { errors: [] as unknown[] };
  try {
    const value = await authRequestContext.run(store, fn);
    return { value, error: store.errors.at(-1) };
  } catch (err) {
    return { value: undefined, error: err };
  }
}
