import { parseConfig, type Config } from "./env";

export { parseConfig, REGIONS, CONNECTION_NAME_PATTERN } from "./env";
export type { Config, Connection, Region, DatabaseConfig } from "./env";
export { ConfigError } from "./errors";
export { isLoopbackHost, isAllowedScheme } from "./url-rules";

const globalKey = Symbol.for("porter.config");
type WithConfig = typeof globalThis & { [globalKey]?: Config };

/**
 * The configuration, parsed once per process (shared by every bundle Next.js makes) and frozen.
 * Also points Auth.js at this region's public URL, so callback URLs are region-correct whatever
 * Host header a request carries.
 */
export function getConfig(): Config {
  const g = globalThis as WithConfig;
  if (!g[globalKey]) {
    const config = parseConfig(process.env);
    process.env.AUTH_URL = `${config.publicUrl}/api/auth`;
    g[globalKey] = config;
  }
  return g[globalKey];
}

export function getConnection(name: string): Config["connections"][number] | null {
  return getConfig().connections.find((c) => c.name === name) ?? null;
}

export { readRawEnv } from "./raw-env";
