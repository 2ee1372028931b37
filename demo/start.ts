/**
 * `npm run demo`: devidp on :4000 and porter's EU deployment on :3000, configured for each other,
 * embedded database, no .env needed. `npm run demo:regions` (--regions) adds the US deployment on :3001.
 * Three demo organizations: acme and initech (EU), globex (US).
 * Flags (used by the e2e tests): --app-port, --us-port, --idp-port, --data-dir, --fresh, --regions, --groups-max-age,
 * --log-poll-seconds, --idp-extra-users, --trusted-proxies, --rate-limits.
 */
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { DEMO_SCIM_TOKEN, DEVIDP_ADMIN_TOKEN, provisionDemoScim, registerDemoEventHook } from "./env";
import {
  buildIfStale,
  createSupervisor,
  devidpEnv,
  given,
  porterEnv,
  root,
  serve,
  tsx,
  waitFor,
  writeConnectionsFile,
} from "./processes";

const { values: args } = parseArgs({
  options: {
    "app-port": { type: "string", default: "3000" },
    "idp-port": { type: "string", default: "4000" },
    "us-port": { type: "string", default: "3001" },
    regions: { type: "boolean", default: false },
    "data-dir": { type: "string", default: "./data/demo" },
    fresh: { type: "boolean", default: false },
    // Seconds before a session's groups are re-read from Okta (GROUPS_MAX_AGE); the e2e tests shorten it.
    "groups-max-age": { type: "string" },
    // Seconds between System Log polls (OKTA_LOG_POLL_SECONDS); extra devidp users for benchmarks.
    "log-poll-seconds": { type: "string" },
    "idp-extra-users": { type: "string" },
    // Which hops may name the client (TRUSTED_PROXIES); the e2e tests trust loopback to vary X-Forwarded-For.
    "trusted-proxies": { type: "string" },
    // RATE_LIMITS (requests per minute per limit and scope); the e2e tests set one they can reach.
    "rate-limits": { type: "string" },
  },
});

const appPort = Number(args["app-port"]);
const idpPort = Number(args["idp-port"]);
const dataDir = path.resolve(root, args["data-dir"]);
const appUrl = `http://localhost:${String(appPort)}`;
const usUrl = `http://localhost:${String(Number(args["us-port"]))}`;
const idpUrl = `http://localhost:${String(idpPort)}`;
const issuer = `${idpUrl}/oauth2/default`;

if (args.fresh) rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });

const supervisor = createSupervisor("demo");

const started = Date.now();
buildIfStale();

supervisor.run(
  "devidp",
  process.execPath,
  [...tsx, "devidp/server.ts"],
  devidpEnv({
    port: idpPort,
    url: idpUrl,
    dataDir,
    appUrls: { eu: appUrl, us: usUrl },
    extraUsers: args["idp-extra-users"],
  }),
);
await waitFor(`${issuer}/.well-known/openid-configuration`, 30_000);
const connectionsFile = writeConnectionsFile(dataDir, issuer);

const regionEnv = (region: "eu" | "us") => ({
  ...porterEnv({
    urls: { appUrl, usUrl, issuer },
    region,
    dataDir,
    porterDataDir: path.join(dataDir, region === "eu" ? "porter" : "porter-us"),
    connectionsFile,
  }),
  ...given({
    GROUPS_MAX_AGE: args["groups-max-age"],
    OKTA_LOG_POLL_SECONDS: args["log-poll-seconds"],
    TRUSTED_PROXIES: args["trusted-proxies"],
    RATE_LIMITS: args["rate-limits"],
  }),
});
supervisor.run("porter (EU)", process.execPath, [...serve, "-p", String(appPort), "-H", "127.0.0.1"], regionEnv("eu"));
if (args.regions)
  supervisor.run(
    "porter (US)",
    process.execPath,
    [...serve, "-p", String(Number(args["us-port"])), "-H", "127.0.0.1"],
    regionEnv("us"),
  );
await waitFor(`${appUrl}/api/health`, 60_000);
if (args.regions) await waitFor(`${usUrl}/api/health`, 60_000);
const hook = await registerDemoEventHook(idpUrl, appUrl);
const scim = await provisionDemoScim(idpUrl);
const dev = "00u1dev000000000002";
const pam = await fetch(`${idpUrl}/api/v1/groups?q=${encodeURIComponent("PAM Linux Sysadmins")}`, {
  headers: { authorization: `SSWS ${DEVIDP_ADMIN_TOKEN}` },
});
const pamId = ((await pam.json()) as { id: string }[])[0]?.id ?? "(see GET /api/v1/groups?q=PAM)";

console.log(`
  porter EU is running: ${appUrl}${args.regions ? `   porter US: ${usUrl}` : ""}   (devidp, the local Okta: ${idpUrl})
  Organizations: acme (EU) and initech (EU) at ${appUrl}; globex (US) at ${usUrl}${args.regions ? "" : " (start it with npm run demo:regions)"}
  Also acme-spa (an Okta Single-Page app: ${appUrl}/login/acme-spa) and acme-org (Okta's org authorization server: ${appUrl}/login/acme-org)
  Okta End-User Dashboard with the app tiles: ${idpUrl}/app/UserHome
  ready in ${((Date.now() - started) / 1000).toFixed(1)} s

  Demo accounts (password for all: Passw0rd!)
    admin@example.com     Port Admins, Everyone, PAM Linux Sysadmins  -> admin, viewer, sre
    dev@example.com       Engineering, team-payments, Everyone         -> member (edits team-payments services), viewer
    viewer@example.com    Everyone                                     -> viewer (reads the catalog)
    nogroups@example.com  (no groups)                                  -> no access: the page names the groups that would grant it
    many@example.com      150 groups: Okta refuses acme's groups claim (try it); at acme-dir all 150 come from the Users API

  Rules, roles and services come from demo/org-seed.json (applied once; edit them at ${appUrl}/admin/rules).

  Bearer API with devidp access tokens (client credentials, service app porter-ci):
    TOKEN=$(curl -s -u porter-ci:porter-ci-demo-secret-change-me -d grant_type=client_credentials \\
      -d scope="porter.read porter.write" ${issuer}/v1/token | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')
    curl -H "Authorization: Bearer $TOKEN" ${appUrl}/api/v1/services

  Admin console: ${appUrl}/admin/audit (audit log), /admin/rules (preview before saving), /admin/users (who holds what, and why)
  Live group state (roles follow Okta without a new sign-in): acme's Okta Event Hook ${hook.id} is ${hook.verificationStatus},
    delivering to ${appUrl}/api/okta/acme/event-hook. Sign in as dev@example.com, then grant dev PAM Linux Sysadmins for 2 minutes
    (an Okta Access Requests-style grant): the sre role appears on the next page, and goes when the grant ends.
      curl -X PUT -H "Authorization: SSWS ${DEVIDP_ADMIN_TOKEN}" "${idpUrl}/api/v1/groups/${pamId}/users/${dev}?expiresInSeconds=120"
    Remove it at once:   curl -X DELETE -H "Authorization: SSWS ${DEVIDP_ADMIN_TOKEN}" ${idpUrl}/api/v1/groups/${pamId}/users/${dev}
    Universal Logout ("Clear user sessions", apps included): ends dev's porter session.
      curl -X DELETE -H "Authorization: SSWS ${DEVIDP_ADMIN_TOKEN}" "${idpUrl}/api/v1/users/${dev}/sessions?universalLogout=true"
    acme-dir (${appUrl}/login/acme-dir) reads groups from Okta's Users API: many@example.com signs in there with all 150.

  Shared Signals: initech (${appUrl}/login/initech) registered a stream at devidp (Okta's transmitter). Sign in there,
    then clear the person's Okta sessions (no Universal Logout, no Event Hook): porter's session ends within a second.
      curl -X DELETE -H "Authorization: SSWS ${DEVIDP_ADMIN_TOKEN}" ${idpUrl}/api/v1/users/00u1viewer000000003/sessions
    Streams and what devidp pushed:  curl -H "Authorization: SSWS ${DEVIDP_ADMIN_TOKEN}" ${idpUrl}/api/v1/ssf/stream

  Provisioning (SCIM): acme-scim (${appUrl}/login/acme-scim) is set up as an Okta Integration Network app must be
    (org authorization server, no groups claim, no refresh tokens): Okta provisioned ${String(scim.users)} people and pushed
    ${String(scim.groups)} groups to porter over SCIM, and pushes every change (the PAM grant above too). Base URL and token:
      ${appUrl}/scim/v2/acme-scim   Authorization: Bearer ${DEMO_SCIM_TOKEN}
      curl -H "Authorization: Bearer ${DEMO_SCIM_TOKEN}" "${appUrl}/scim/v2/acme-scim/Users?filter=userName%20eq%20%22dev@example.com%22"
    Deactivate dev in Okta (SCIM active: false ends their acme-scim session):
      curl -X POST -H "Authorization: SSWS ${DEVIDP_ADMIN_TOKEN}" ${idpUrl}/api/v1/users/${dev}/lifecycle/deactivate
    Provisioning console: ${appUrl}/admin/provisioning (signed in to acme-scim as admin@example.com)

  Ctrl+C stops both.
`);
