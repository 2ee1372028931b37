import { defineConfig } from "@playwright/test";

export const APP_PORT = 3100;
export const IDP_PORT = 4100;
export const US_PORT = 3101;
/** Short, so a test sees stale groups re-read from Okta (with the refresh token) without waiting 5 minutes. */
export const GROUPS_MAX_AGE = 30;
/** Sign-in requests a minute per address (RATE_LIMITS sign_in.address): a test can reach it, the suite stays under it. */
export const SIGN_IN_LIMIT = 200;
/** Okta calls a minute per organization (RATE_LIMITS okta.organization): forged calls must not reach it (review finding 2). */
export const OKTA_ORGANIZATION_LIMIT = 50;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export default defineConfig({
  testDir: "./e2e",
  fullyParallel: false,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  reporter: [["list"]],
  use: {
    baseURL: `http://localhost:${String(APP_PORT)}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [
    { name: "main", testIgnore: [/okta-org\//, /cluster\//] },
    // Changes dev@example.com's groups and sessions in devidp: runs once everything else has finished.
    { name: "okta-org", testMatch: /okta-org\/.*\.spec\.ts/, dependencies: ["main"] },
  ],
  webServer: {
    command: `node node_modules/tsx/dist/cli.mjs demo/start.ts --regions --app-port ${String(APP_PORT)} --us-port ${String(US_PORT)} --idp-port ${String(IDP_PORT)} --data-dir ./data/e2e --fresh --groups-max-age ${String(GROUPS_MAX_AGE)} --trusted-proxies 127.0.0.1,::1 --rate-limits sign_in.address=${String(SIGN_IN_LIMIT)},okta.organization=${String(OKTA_ORGANIZATION_LIMIT)}`,
    url: `http://localhost:${String(APP_PORT)}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
  },
});
