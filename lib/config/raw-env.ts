/** Process-level settings read before (or without) the full config: logging and build mode. */
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
    | "MEMORY_LOG_SECONDS",
): string | undefined {
  const value = process.env[name];
  return value === "" ? undefined : value;
}
