/**
 * The demo's porter environment, shared by `npm run demo`, `npm run check-okta` (when no OKTA_ISSUER is
 * set) and the e2e tests. Demo secrets only: they match devidp/data/directory.json.
 */
export interface DemoUrls {
  appUrl: string;
  usUrl: string;
  issuer: string;
}

/** Organizations beyond acme: two healthy (initech EU, globex US) and three deliberately misconfigured. */
export function demoConnections(issuer: string) {
  return {
    connections: [
      { name: "initech", issuer, clientId: "porter-initech", clientSecretEnv: "INITECH_CLIENT_SECRET", region: "eu", apiClientIds: ["porter-initech"], seedFile: "demo/initech-seed.json" },
      // An Okta "Single-Page" app (public client: PKCE, no secret), the app type Port's own guide tells admins to create.
      { name: "acme-spa", issuer, clientId: "porter-spa", region: "eu", apiClientIds: ["porter-spa"] },
      // Okta's org authorization server (issuer = the org URL): groups in the ID token; its access tokens only Okta can verify.
      { name: "acme-org", issuer: new URL(issuer).origin, clientId: "porter-org", clientSecretEnv: "ACME_ORG_CLIENT_SECRET", region: "eu", apiClientIds: ["porter-org"] },
      { name: "globex", issuer, clientId: "porter-us", clientSecretEnv: "GLOBEX_CLIENT_SECRET", region: "us", apiClientIds: ["porter-us", "porter-us-ci"], seedFile: "demo/globex-seed.json" },
      // Misconfigured on purpose, for the configuration check: the Okta app lists only the EU callback
      // though the organization lives in the US; the Okta app has no groups claim; a wrong secret.
      { name: "umbrella", issuer, clientId: "porter-umbrella", clientSecretEnv: "UMBRELLA_CLIENT_SECRET", region: "us", apiClientIds: ["porter-umbrella"] },
      { name: "hooli", issuer, clientId: "porter-hooli", clientSecretEnv: "HOOLI_CLIENT_SECRET", region: "eu", apiClientIds: ["porter-hooli"] },
      { name: "wonka", issuer, clientId: "porter-wonka", clientSecretEnv: "WONKA_CLIENT_SECRET", region: "eu", apiClientIds: ["porter-wonka"] },
      // Only the Apps API shows these: implicit grant on, tile hidden, "Send ID Token directly to app".
      { name: "stark", issuer, clientId: "porter-stark", clientSecretEnv: "STARK_CLIENT_SECRET", region: "eu", apiClientIds: ["porter-stark"] },
    ].map((c) => ({ ...c, oktaApiTokenEnv: "OKTA_API_TOKEN", adminGroups: ["Port Admins"] })),
  };
}

export function demoPorterEnv(urls: DemoUrls, region: "eu" | "us"): Record<string, string> {
  return {
    APP_REGION: region,
    APP_URL_EU: urls.appUrl,
    APP_URL_US: urls.usUrl,
    OKTA_CONNECTION_NAME: "acme",
    OKTA_ISSUER: urls.issuer,
    OKTA_CLIENT_ID: "porter-eu",
    OKTA_CLIENT_SECRET: "porter-eu-demo-secret-change-me",
    OKTA_REGION: "eu",
    ADMIN_GROUPS: "Port Admins",
    // The shared secret of acme's Okta Event Hook (Okta: Workflow > Event Hooks > Authentication field: Authorization).
    OKTA_EVENT_HOOK_SECRET: "devidp-demo-hook-secret-change-me",
    // Port Admins of acme (the platform organization) may run the configuration check on every organization.
    PLATFORM_ADMIN_GROUPS: "Port Admins",
    OKTA_API_CLIENT_IDS: "porter-eu,porter-cli,porter-ci",
    INITECH_CLIENT_SECRET: "porter-initech-demo-secret-change-me",
    ACME_ORG_CLIENT_SECRET: "porter-org-demo-secret-change-me",
    GLOBEX_CLIENT_SECRET: "porter-us-demo-secret-change-me",
    UMBRELLA_CLIENT_SECRET: "porter-umbrella-demo-secret-change-me",
    HOOLI_CLIENT_SECRET: "porter-hooli-demo-secret-change-me",
    WONKA_CLIENT_SECRET: "not-the-secret-okta-has",
    STARK_CLIENT_SECRET: "porter-stark-demo-secret-change-me",
    // devidp's Apps API token (read-only), for the configuration check's app-settings check.
    OKTA_API_TOKEN: "devidp-demo-api-token",
  };
}
