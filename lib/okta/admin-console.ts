/**
 * What to change in Okta: where each setting lives in the Okta Admin Console, and the fixes porter gives.
 * The one catalogue the error pages, the configuration check, the console pages and Okta API errors read,
 * so a path Okta renames is changed here once.
 */

/** The customer's porter app in the Admin Console. */
export const APP = "Applications > Applications > (your porter app)";

export const PLACES = {
  app: APP,
  general: `${APP} > General`,
  login: `${APP} > General > Login`,
  signInRedirectUris: `${APP} > General > Login > Sign-in redirect URIs`,
  signOutRedirectUris: `${APP} > General > Login > Sign-out redirect URIs`,
  clientCredentials: `${APP} > General > Client Credentials`,
  grantTypes: `${APP} > General > Grant type`,
  assignments: `${APP} > Assignments`,
  signOn: `${APP} > Sign On`,
  idTokenClaims: `${APP} > Sign On > OpenID Connect ID Token`,
  provisioning: `${APP} > Provisioning`,
  provisioningIntegration: `${APP} > Provisioning > Integration`,
  provisioningToApp: `${APP} > Provisioning > To App`,
  pushGroups: `${APP} > Push Groups`,
  authorizationServers: "Security > API > Authorization Servers",
  apiTokens: "Security > API > Tokens",
  systemLog: "Reports > System Log",
  rateLimits: "Reports > Rate Limits",
  eventHooks: "Workflow > Event Hooks",
  groups: "Directory > Groups",
  people: "Directory > People",
  serviceApp: "Applications > Applications > (your API Services app)",
} as const;

/** The Okta API scopes porter's API Services app is granted: people, groups, the System Log and its own app. */
export const OKTA_SERVICE_SCOPES = "okta.users.read okta.groups.read okta.logs.read okta.apps.read";

/** "Okta Admin Console: <path>" */
export const inAdminConsole = (place: string): string => `Okta Admin Console: ${place}`;

export const FIXES = {
  /** The issuer porter is configured with is not Okta's (wrong URL, trailing slash, other server). */
  issuer: (expected?: string) =>
    `Copy the Issuer URI from Okta Admin Console > ${PLACES.authorizationServers} (a custom server, e.g. default) or use https://<your-org>.okta.com (the org server), without a trailing slash${expected ? `: "${expected}"` : ""}.`,
  /** The groups claim that porter reads. */
  groupsClaim: (claim: string, regex = ".*") =>
    `${inAdminConsole(PLACES.idTokenClaims)} > Groups claim type: Filter, name "${claim}", Matches regex "${regex}" (or narrower)`,
  /** An SSWS API token porter may use (read-only). */
  apiToken: () =>
    `${inAdminConsole(PLACES.apiTokens)}: create a token as an admin with the Read-only Administrator role and set it as the connection's Okta API token (OKTA_API_TOKEN or oktaApiTokenEnv).`,
  /** The API Services app porter authenticates as (Okta's recommended credential). */
  serviceApp: (clientId: string) =>
    `${inAdminConsole(`Applications > Applications > ${clientId}`)}: Client authentication "Public key / Private key" with porter's public key, and Okta API Scopes > grant ${OKTA_SERVICE_SCOPES.split(" ").join(", ")}.`,
  /** The credential may not read what porter needs. */
  apiPermissions: () =>
    `Give porter's credential the Read-only Administrator role (an API token) or grant the Okta API scopes ${OKTA_SERVICE_SCOPES.split(" ").join(", ")} (an API Services app).`,
  rateLimits: () => `${inAdminConsole(PLACES.rateLimits)} shows which limit was hit.`,
  clientId: () => `${inAdminConsole(PLACES.clientCredentials)}: copy the Client ID into porter's configuration.`,
} as const;
