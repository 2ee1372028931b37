/** Process-level settings read before (or without) the full config: logging, build mode, where the server listens, and (to create a new embedded database while Next.js loads) where the data is. */
export function readRawEnv(
  name:
    | "NODE_ENV"
    | "LOG_LEVEL"
    | "TEST_DATABASE_URL"
    | "PORTER_NODE"
    | "ACCESS_LOG"
    | "TRUSTED_PROXIES"
    | "PORT"
    | "HOSTNAME"
    | "MEMORY_LOG_SECONDS"
    | "DATABASE_URL"
    | "DATA_DIR",
): string | undefined {
  const value = process.env[name];
  return value === "" ? undefined : value;
}
