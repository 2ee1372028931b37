import { readFileSync } from "node:fs";
import { parseConfig, type Config, type ConnectionsFileInput } from "./env";
import { ConfigError } from "./errors";

export { parseConfig, REGIONS, CONNECTION_NAME_PATTERN } from "./env";
export type { Config, Connection, Region, DatabaseConfig } from "./env";
export { GROUPS_SOURCE_SETTINGS, type GroupsSourceSetting } from "./types";
export { ConfigError } from "./errors";
export { isLoopbackHost, isAllowedScheme } from "./url-rules";
export { connectionUrls, homeRegionUrl, type ConnectionUrls } from "./connection-urls";

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
    const config = parseConfig(process.env, readConnectionsFile(process.env.CONNECTIONS_FILE));
    process.env.AUTH_URL = `${config.publicUrl}/api/auth`;
    g[globalKey] = config;
  }
  return g[globalKey];
}

function readConnectionsFile(path: string | undefined): ConnectionsFileInput | undefined {
  if (!path?.trim()) return undefined;
  try {
    return { path, text: readFileSync(path, "utf8") };
  } catch (err) {
    throw new ConfigError([
      `CONNECTIONS_FILE ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`,
    ]);
  }
}

export function getConnection(name: string): Config["connections"][number] | null {
  return getConfig().connections.find((c) => c.name === name) ?? null;
}

export { readRawEnv } from "./raw-env";
