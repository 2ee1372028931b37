import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

/**
 * The cluster e2e suite: `npm run demo:cluster` on ports of its own (so it can run next to a demo), three
 * app nodes behind nginx on one PostgreSQL. It runs the sign-in, bearer API, catalog, audit console and
 * Event Hook specs through the proxy (every request may land on another node), then e2e/cluster: what
 * only a cluster shows, and the fault tests (a node killed, PostgreSQL restarted, Okta down, slow, rotating
 * its keys).
 */
export const CLUSTER = {
  proxyPort: 3200,
  idpPort: 4200,
  nodePorts: [3210, 3211, 3212],
  pgPort: 55434,
  controlPort: 3219,
  dataDir: "./data/e2e-cluster",
};
process.env.E2E_APP_URL = `http://localhost:${String(CLUSTER.proxyPort)}`;
process.env.E2E_IDP_URL = `http://localhost:${String(CLUSTER.idpPort)}`;
process.env.E2E_CLUSTER_DIR = CLUSTER.dataDir;

export default defineConfig({
  ...base,
  use: { ...base.use, baseURL: process.env.E2E_APP_URL },
  projects: [
    {
      name: "through-proxy",
      testMatch: [
        /auth\/sign-in\.spec\.ts/,
        /rbac\/.*\.spec\.ts/,
        /admin\/audit-console\.spec\.ts/,
        /live\/event-hook\.spec\.ts/,
        /cluster\/cluster\.spec\.ts/,
      ],
    },
    // Stops and starts parts of the cluster: alone, after everything else.
    { name: "faults", testMatch: /cluster\/faults\.spec\.ts/, dependencies: ["through-proxy"], workers: 1 },
  ],
  webServer: {
    command: [
      "node --import tsx demo/cluster.ts --fresh",
      `--proxy-port ${String(CLUSTER.proxyPort)} --idp-port ${String(CLUSTER.idpPort)} --node-ports ${CLUSTER.nodePorts.join(",")}`,
      `--pg-port ${String(CLUSTER.pgPort)} --control-port ${String(CLUSTER.controlPort)} --data-dir ${CLUSTER.dataDir}`,
      // The flood test sends from 127.0.0.9: a limit low enough to reach, on an address no other test uses.
      // Every other test signs in from loopback, hundreds of times within a minute (the fault tests' load):
      // the suite owns no sign-in budget it could spend for the tests after it (e2e/regions asserts that limit).
      // The fault tests edit services through the bearer API from loopback, a few hundred a test: the API
      // budget is not theirs to spend either (e2e/rbac and the unit tests assert the API limits).
      "--rate-limits okta.address=60,sign_in.address=1000000,sign_in.organization=1000000,api.address=1000000,api.organization=1000000",
    ].join(" "),
    url: `http://localhost:${String(CLUSTER.proxyPort)}/api/health/ready`,
    timeout: 300_000,
    reuseExistingServer: false,
    // SIGTERM, so demo:cluster stops the nodes, nginx and PostgreSQL (a SIGKILL would leave PostgreSQL running).
    gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
    stdout: "ignore",
    stderr: "pipe",
  },
});
