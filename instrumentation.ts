/** Runs once when the server starts: refuse to start on a bad configuration, then open the database. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return; // eslint-disable-line no-restricted-properties -- set by Next.js itself
  const { startServer } = await import("./lib/server/startup");
  await startServer();
}

/**
 * Next.js calls this for an error a page or route did not handle. One that means "the database is not
 * reachable" marks the request, so porter's server answers 503 with Retry-After instead of 500
 * (lib/db/unavailable.ts explains the whole path).
 */
export async function onRequestError(err: unknown): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return; // eslint-disable-line no-restricted-properties -- set by Next.js itself
  const { isDatabaseUnavailable, markDatabaseUnavailable } = await import("./lib/db/unavailable");
  if (isDatabaseUnavailable(err)) markDatabaseUnavailable();
}
