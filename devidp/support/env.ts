/** devidp's own settings (it is a separate program from porter; this is the only file that reads its environment). */
export interface IdpEnv {
  port: number;
  /** Public origin of devidp, e.g. http://localhost:4000 */
  origin: string;
  dataDir: string;
  appUrls: { eu: string; us: string };
  /** Management API calls per token and minute before Okta's 429 E0000047 (Okta's default bucket is larger). */
  rateLimitPerMinute: number;
  /** Extra users bench-001@example.com… (Everyone, PAM Linux Sysadmins) for benchmarks; 0 by default. */
  extraUsers: number;
}

export function readIdpEnv(env: NodeJS.ProcessEnv = process.env): IdpEnv {
  const port = Number(env.DEVIDP_PORT ?? "4000");
  if (!Number.isInteger(port) || port <= 0 || port > 65535)
    throw new Error(`DEVIDP_PORT must be a port number, got ${String(env.DEVIDP_PORT)}`);
  return {
    port,
    origin: env.DEVIDP_URL ?? `http://localhost:${String(port)}`,
    dataDir: env.DEVIDP_DATA_DIR ?? "./data/devidp",
    appUrls: { eu: env.APP_URL_EU ?? "http://localhost:3000", us: env.APP_URL_US ?? "http://localhost:3001" },
    rateLimitPerMinute: Number(env.DEVIDP_RATE_LIMIT_PER_MINUTE ?? "600") || 600,
    extraUsers: Math.min(10_000, Math.max(0, Number(env.DEVIDP_EXTRA_USERS ?? "0") || 0)),
  };
}

/** The custom authorization server's path, like Okta's `default` server. */
export const AUTH_SERVER_PATH = "/oauth2/default";
