/**
 * The demo's porter environment, shared by `npm run demo`, `npm run check-okta` (when no OKTA_ISSUER is
 * set) and the e2e tests. Demo secrets only: they match devidp/data/directory.json.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { HANDLED_EVENT_TYPES } from "../lib/live-groups/okta-events/handlers";

export interface DemoUrls {
  appUrl: string;
  usUrl: string;
  issuer: string;
}

/** Organizations beyond acme: two healthy (initech EU, globex US) and three deliberately misconfigured. */
/** With the Okta app's Refresh Token grant: porter re-reads stale groups silently (GROUPS_MAX_AGE). */
const OFFLINE = "openid profile email offline_access";

export function demoConnections(issuer: string) {
  return {
    connections: [
      {
        name: "initech",
        scopes: OFFLINE,
        issuer,
        clientId: "porter-initech",
        clientSecretEnv: "INITECH_CLIENT_SECRET",
        region: "eu",
        apiClientIds: ["porter-initech"],
        seedFile: "demo/initech-seed.json",
        // Okta's Shared Signals: porter registers a stream at start with this token (ssf.manage, ssf.read),
        // and a session Okta ends (sign-out, "Clear user sessions") ends porter's (CAEP session-revoked).
        oktaApiTokenEnv: "INITECH_OKTA_API_TOKEN",
        sharedSignals: true,
      },
      // An Okta "Single-Page" app (public client: PKCE, no secret), the app type Port's own guide tells admins to create.
      { name: "acme-spa", scopes: OFFLINE, issuer, clientId: "porter-spa", region: "eu", apiClientIds: ["porter-spa"] },
      // Okta's org authorization server (issuer = the org URL): groups in the ID token; its access tokens only Okta can verify.
      {
        name: "acme-org",
        scopes: OFFLINE,
        issuer: new URL(issuer).origin,
        clientId: "porter-org",
        clientSecretEnv: "ACME_ORG_CLIENT_SECRET",
        region: "eu",
        apiClientIds: ["porter-org"],
      },
      {
        name: "globex",
        scopes: OFFLINE,
        issuer,
        clientId: "porter-us",
        clientSecretEnv: "GLOBEX_CLIENT_SECRET",
        region: "us",
        apiClientIds: ["porter-us", "porter-us-ci"],
        seedFile: "demo/globex-seed.json",
      },
      // Misconfigured on purpose, for the configuration check: the Okta app lists only the EU callback
      // though the organization lives in the US; the Okta app has no groups claim; a wrong secret.
      {
        name: "umbrella",
        issuer,
        clientId: "porter-umbrella",
        clientSecretEnv: "UMBRELLA_CLIENT_SECRET",
        region: "us",
        apiClientIds: ["porter-umbrella"],
      },
      {
        name: "hooli",
        issuer,
        clientId: "porter-hooli",
        clientSecretEnv: "HOOLI_CLIENT_SECRET",
        region: "eu",
        apiClientIds: ["porter-hooli"],
      },
      {
        name: "wonka",
        issuer,
        clientId: "porter-wonka",
        clientSecretEnv: "WONKA_CLIENT_SECRET",
        region: "eu",
        apiClientIds: ["porter-wonka"],
      },
      // Only the Apps API shows these: implicit grant on, tile hidden, "Send ID Token directly to app".
      {
        name: "stark",
        issuer,
        clientId: "porter-stark",
        clientSecretEnv: "STARK_CLIENT_SECRET",
        region: "eu",
        apiClientIds: ["porter-stark"],
      },
      // No groups claim at all, and an Okta API token that reads users, groups and the System Log: groups come from
      // the Users API (no 100-group cap: many@example.com signs in with 150), and roles follow Okta by System Log polling.
      // Okta API access by an API Services app (client credentials, private_key_jwt, DPoP), as Okta recommends.
      {
        name: "acme-dir",
        issuer,
        clientId: "porter-directory",
        clientSecretEnv: "ACME_DIR_CLIENT_SECRET",
        region: "eu",
        apiClientIds: ["porter-directory"],
        oktaApiTokenEnv: "ACME_DIR_OKTA_API_TOKEN",
        serviceClientId: "porter-okta-api",
        servicePrivateKeyEnv: "ACME_DIR_SERVICE_KEY",
      },
      // Set up as an app listed in the Okta Integration Network must be: Okta's org authorization server, no
      // groups claim, no refresh tokens. Okta provisions people and pushes groups over SCIM (devidp plays
      // Okta's provisioning client); only people Okta provisioned may sign in.
      {
        name: "acme-scim",
        scopes: "openid profile email",
        issuer: new URL(issuer).origin,
        clientId: "porter-scim",
        clientSecretEnv: "ACME_SCIM_CLIENT_SECRET",
        region: "eu",
        apiClientIds: ["porter-scim"],
        seedFile: "demo/org-seed.json",
        groupsSource: "scim" as const,
        requireProvisioning: true,
        scimTokenEnv: "ACME_SCIM_TOKEN",
      },
    ].map((c) => ({ oktaApiTokenEnv: "DEMO_APPS_API_TOKEN", ...c, adminGroups: ["Port Admins"] })),
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
    OKTA_SCOPES: OFFLINE,
    ADMIN_GROUPS: "Port Admins",
    // The shared secret of acme's Okta Event Hook (Okta: Workflow > Event Hooks > Authentication field: Authorization).
    OKTA_EVENT_HOOK_SECRET: "devidp-demo-hook-secret-change-me",
    // Port Admins of acme (the platform organization) may run the configuration check on every organization.
    PLATFORM_ADMIN_GROUPS: "Port Admins",
    OKTA_API_CLIENT_IDS: "porter-eu,porter-cli,porter-ci",
    INITECH_CLIENT_SECRET: "porter-initech-demo-secret-change-me",
    // initech's Okta API token: its app (the configuration check) and its Shared Signals stream.
    INITECH_OKTA_API_TOKEN: "devidp-demo-ssf-token",
    ACME_ORG_CLIENT_SECRET: "porter-org-demo-secret-change-me",
    GLOBEX_CLIENT_SECRET: "porter-us-demo-secret-change-me",
    UMBRELLA_CLIENT_SECRET: "porter-umbrella-demo-secret-change-me",
    HOOLI_CLIENT_SECRET: "porter-hooli-demo-secret-change-me",
    WONKA_CLIENT_SECRET: "not-the-secret-okta-has",
    STARK_CLIENT_SECRET: "porter-stark-demo-secret-change-me",
    ACME_DIR_CLIENT_SECRET: "porter-directory-demo-secret-change-me",
    ACME_SCIM_CLIENT_SECRET: "porter-scim-demo-secret-change-me",
    // acme-scim's SCIM bearer token (Okta: Provisioning > Integration > API Token).
    ACME_SCIM_TOKEN: DEMO_SCIM_TOKEN,
    // devidp's read-only directory token (okta.users.read, okta.groups.read, okta.logs.read) for acme-dir.
    ACME_DIR_OKTA_API_TOKEN: "devidp-demo-directory-token",
    // The private key of devidp's API Services app porter-okta-api (demo only: its public half is in devidp/data/directory.json).
    ACME_DIR_SERVICE_KEY: readFileSync(
      path.join(import.meta.dirname, "keys/acme-dir-service-app.private.json"),
      "utf8",
    ),
    // acme's Okta API token, a read-only admin's: its app (the configuration check), people and groups (an
    // Event Hook delivery is then a notification: porter reads the person's groups from Okta).
    OKTA_API_TOKEN: "devidp-demo-read-token",
    // The other organizations' token: it may read their apps only (the configuration check's app settings).
    DEMO_APPS_API_TOKEN: "devidp-demo-api-token",
  };
}

/** acme-scim's SCIM token in the demo (DESIGN.md's demo contract); porter refuses it outside loopback. */
export const DEMO_SCIM_TOKEN = "porter-demo-scim-token";

/** devidp's read-write management token (Okta: an API token of a super admin), for the demo's own setup and commands. */
export const DEVIDP_ADMIN_TOKEN = "devidp-demo-admin-token";
export const DEMO_HOOK_SECRET = "devidp-demo-hook-secret-change-me";

/**
 * What an Okta admin does once after setting up acme-scim's provisioning: "Provision users" and "Push now"
 * (devidp's stand-in: POST /api/v1/apps/{app}/provisioning/sync). devidp then provisions every person
 * assigned to the app and pushes its groups to porter over SCIM, and keeps pushing changes.
 */
export async function provisionDemoScim(idpUrl: string): Promise<{ users: number; groups: number }> {
  const res = await fetch(`${idpUrl}/api/v1/apps/porter-scim/provisioning/sync`, {
    method: "POST",
    headers: { authorization: `SSWS ${DEVIDP_ADMIN_TOKEN}`, accept: "application/json" },
  });
  if (!res.ok) throw new Error(`devidp could not provision acme-scim: HTTP ${String(res.status)} ${await res.text()}`);
  return (await res.json()) as { users: number; groups: number };
}

/**
 * What an Okta admin does once: create acme's Event Hook pointing at porter (Workflow > Event Hooks), then
 * Verify it. devidp then delivers acme's events to porter, as Okta would.
 */
export async function registerDemoEventHook(
  idpUrl: string,
  appUrl: string,
): Promise<{ id: string; verificationStatus: string }> {
  const headers = {
    authorization: `SSWS ${DEVIDP_ADMIN_TOKEN}`,
    "content-type": "application/json",
    accept: "application/json",
  };
  const created = await fetch(`${idpUrl}/api/v1/eventHooks`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      name: "porter (acme)",
      events: { type: "EVENT_TYPE", items: HANDLED_EVENT_TYPES },
      channel: {
        type: "HTTP",
        version: "1.0.0",
        config: {
          uri: `${appUrl}/api/okta/acme/event-hook`,
          headers: [],
          authScheme: { type: "HEADER", key: "Authorization", value: DEMO_HOOK_SECRET },
        },
      },
    }),
  });
  if (!created.ok)
    throw new Error(`devidp refused the Event Hook (HTTP ${String(created.status)}): ${await created.text()}`);
  const hook = (await created.json()) as { id: string };
  const verified = await fetch(`${idpUrl}/api/v1/eventHooks/${hook.id}/lifecycle/verify`, { method: "POST", headers });
  if (!verified.ok)
    throw new Error(
      `porter did not pass devidp's Event Hook verification (HTTP ${String(verified.status)}): ${await verified.text()}`,
    );
  return (await verified.json()) as { id: string; verificationStatus: string };
}
