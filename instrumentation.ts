/** Runs once when the server starts: refuse to start on a bad configuration, then open the database. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return; // eslint-disable-line no-restricted-properties -- set by Next.js itself
  const { startServer } = await import("./lib/startup");
  await startServer();
}
