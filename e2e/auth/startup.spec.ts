import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { expect, test } from "@playwright/test";

/** Starts a second porter (the built app, porter's server or `next start`) with the given environment. */
function startPorter(port: number, env: Record<string, string>, server: "porter" | "next" = "porter") {
  const dataDir = `./data/e2e-startup-${String(port)}`;
  rmSync(dataDir, { recursive: true, force: true });
  const child = spawn(
    process.execPath,
    server === "porter"
      ? ["node_modules/tsx/dist/cli.mjs", "server/serve.ts", "-p", String(port), "-H", "127.0.0.1"]
      : ["node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"],
    {
      env: {
        PATH: process.env.PATH ?? "",
        NODE_ENV: "production",
        AUTH_SECRET: "e2e-startup-secret-0123456789abcdef",
        APP_REGION: "eu",
        APP_URL_EU: `http://localhost:${String(port)}`,
        APP_URL_US: "http://localhost:3001",
        OKTA_CONNECTION_NAME: "acme",
        OKTA_CLIENT_ID: "porter-eu",
        OKTA_CLIENT_SECRET: "x",
        DATA_DIR: dataDir,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      resolve(code);
    }),
  );
  return { child, exited, output: () => output };
}

async function waitForHealth(url: string): Promise<void> {
  for (let i = 0; i < 120; i += 1) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} never answered`);
}

test("an http issuer on a non-loopback host stops start-up with a message naming the variable", async () => {
  const porter = startPorter(3191, { OKTA_ISSUER: "http://acme.okta.example/oauth2/default" });
  expect(await porter.exited).toBe(1);
  expect(porter.output()).toContain(
    "OKTA_ISSUER must use https: an http issuer is refused unless its host is localhost",
  );
});

test("in production, porter refuses to run without its own server, which alone knows the client's address (review finding 4)", async () => {
  const porter = startPorter(3192, { OKTA_ISSUER: "http://127.0.0.1:9/oauth2/default" }, "next");
  expect(await porter.exited).toBe(1);
  expect(porter.output()).toContain("run it with its own server (npm start");
});

test("an unreachable issuer: porter starts, health reports it, sign-in shows a clear page, nothing fails open", async ({
  page,
}) => {
  // Port 9 (discard) on loopback: nothing listens, connections are refused.
  const healthToken = "e2e-health-token-0123456789abcdef0123";
  const porter = startPorter(3190, {
    OKTA_ISSUER: "http://127.0.0.1:9/oauth2/default",
    HEALTH_TOKEN: healthToken,
    RATE_LIMITS: "sign_in.address=20",
  });
  try {
    await waitForHealth("http://localhost:3190/api/health");
    // The public sees totals only: no organization's name or issuer (review finding 1).
    const publicHealth = await (await fetch("http://localhost:3190/api/health")).text();
    expect(JSON.parse(publicHealth)).toMatchObject({ status: "degraded", connections: { total: 1, discoveryOk: 0 } });
    expect(publicHealth).not.toMatch(/acme|127\.0\.0\.1:9/);
    const health = (await (
      await fetch("http://localhost:3190/api/health", { headers: { authorization: `Bearer ${healthToken}` } })
    ).json()) as {
      status: string;
      database: { status: string };
      connections: { name: string; discovery: { status: string; code?: string } }[];
    };
    expect(health.status).toBe("degraded");
    expect(health.database.status).toBe("ok");
    expect(health.connections[0]).toMatchObject({
      name: "acme",
      discovery: { status: "error", code: "issuer_unreachable" },
    });

    await page.goto("http://localhost:3190/");
    await page.getByRole("button", { name: "Sign in with Okta" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("porter cannot reach Okta right now");
    await expect(page.getByText("port 443").first()).toBeVisible();

    expect((await fetch("http://localhost:3190/api/me")).status).toBe(401);
    const profile = await fetch("http://localhost:3190/profile", { redirect: "manual" });
    expect(profile.status).toBe(303);

    // No TRUSTED_PROXIES here: the client is the socket peer, so a new X-Forwarded-For on every request
    // does not buy a new rate-limit bucket (this porter allows 20 sign-in requests a minute per address).
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await fetch(
        `http://localhost:3190/login/acme/initiate?iss=${encodeURIComponent("http://127.0.0.1:9/oauth2/default")}`,
        {
          redirect: "manual",
          headers: { "x-forwarded-for": `198.51.100.${String(i)}`, "x-porter-peer": `203.0.113.${String(i)}` },
        },
      );
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(9);
  } finally {
    porter.child.kill("SIGTERM");
    await porter.exited;
  }
});
