import type { Config, Connection, Region } from "./env";

/** The exact values a customer pastes into Okta for one connection, all on its home region's URL. */
export interface ConnectionUrls {
  region: Region;
  /** Public base URL of the connection's home region. */
  home: string;
  /** Okta: General > Login > Sign-in redirect URIs. */
  signInRedirectUri: string;
  /** Okta: General > Login > Initiate login URI (with "Login initiated by: Either Okta or App"). */
  initiateLoginUri: string;
  /** Okta: General > Login > Sign-out redirect URIs. */
  signOutRedirectUri: string;
  /** A bookmarkable link that starts sign-in at once. */
  directLoginUrl: string;
  /** Okta: Workflow > Event Hooks > Create Event Hook > Endpoint URL. */
  eventHookUri: string;
  /** Okta: the app's Sign On > Universal Logout > Global Token Revocation endpoint (also the token's `aud`). */
  globalTokenRevocationUri: string;
}

/** The one place that computes a connection's URLs; pages, the CLI and the checks all use it. */
export function connectionUrls(
  config: Pick<Config, "regionUrls">,
  connection: Pick<Connection, "name" | "region">,
  region: Region = connection.region,
): ConnectionUrls {
  const home = config.regionUrls[region];
  const name = encodeURIComponent(connection.name);
  return {
    region,
    home,
    signInRedirectUri: `${home}/api/auth/callback/${name}`,
    initiateLoginUri: `${home}/login/${name}/initiate`,
    signOutRedirectUri: `${home}/signed-out`,
    directLoginUrl: `${home}/login/${name}`,
    eventHookUri: `${home}/api/okta/${name}/event-hook`,
    globalTokenRevocationUri: `${home}/api/okta/${name}/global-token-revocation`,
  };
}

/** Where a request for `path` should go when the connection lives in another region, or null when it is here. */
export function homeRegionUrl(
  config: Pick<Config, "region" | "regionUrls">,
  connection: Pick<Connection, "region">,
  pathAndQuery: string,
): string | null {
  if (connection.region === config.region) return null;
  return `${config.regionUrls[connection.region]}${pathAndQuery}`;
}
