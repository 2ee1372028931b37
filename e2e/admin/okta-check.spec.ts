import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import { demoPorterEnv } from "../../demo/env";
import { ISSUER } from "../pages/okta-tokens";
import { Porter } from "../pages/porter";

const run = promisify(execFile);

/** `npm run check-okta -- --json` against the e2e deployment (its connections file and devidp). */
async function checkOkta(connection: string): Promise<{
  code: number;
  report: { checks: { id: string; status: string; message: string; fix: string | null; value?: string }[] };
}> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...demoPorterEnv({ appUrl: "http://localhost:3100", usUrl: "http://localhost:3101", issuer: ISSUER }, "eu"),
    AUTH_SECRET: "tB4q9Lw2Xz7Kd1Rm6Pv0Ns3Hj8Gc5Fy2",
    CONNECTIONS_FILE: "data/e2e/connections.json",
    NODE_ENV: "test",
  };
  try {
    const { stdout } = await run(
      process.execPath,
      [
        "node_modules/tsx/dist/cli.mjs",
        "--conditions=react-server",
        "cli/check-okta.ts",
        "--connection",
        connection,
        "--json",
      ],
      { env },
    );
    return { code: 0, report: JSON.parse(stdout) as never };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, report: JSON.parse(e.stdout) as never };
  }
}

test.describe("Okta configuration check", () => {
  test("an admin runs it on their healthy organization: every check passes, and the run is kept", async ({ page }) => {
    await new Porter(page).signInAs("admin@example.com");
    await page.goto("/admin/okta");
    await page.getByRole("button", { name: "Run the check" }).click();
    const results = page.getByRole("list", { name: "Check results" });
    for (const title of [
      "Network path to Okta",
      "Clock",
      "Discovery document",
      "Signing keys",
      "Client ID and secret",
      "Sign-in redirect URI for this region",
      "Okta app settings",
      "Groups claim in practice",
    ]) {
      await expect(results.getByRole("listitem", { name: title })).toContainText("pass");
    }
    // acme neither uses nor requires SCIM provisioning.
    await expect(results.getByRole("listitem", { name: "Provisioning (SCIM)" })).toContainText("skipped");
    // The finished run is stored and listed under "Previous runs".
    await expect(async () => {
      await page.goto("/admin/okta");
      await expect(
        page
          .getByRole("region", { name: "Previous runs" })
          .getByText(/by admin@example\.com: 0 fail, 0 warn, 8 pass, 1 skipped/)
          .first(),
      ).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 15_000 });
  });

  test("a platform operator runs it on each misconfigured organization: the expected check fails with its fix", async ({
    page,
    browser,
  }) => {
    // hooli's Okta app has no groups claim: that shows in a real sign-in, so someone signs in there first.
    const other = await browser.newContext();
    const hooli = await other.newPage();
    await hooli.goto("/login/hooli?callbackUrl=/profile");
    await hooli.getByLabel("Username").fill("dev@example.com");
    await hooli.getByLabel("Password").fill("Passw0rd!");
    await hooli.getByRole("button", { name: "Sign in" }).click();
    await expect(hooli).toHaveURL(/\/profile$/);
    await other.close();

    await new Porter(page).signInAs("admin@example.com");
    const expectations = [
      [
        "umbrella",
        "Sign-in redirect URI for this region",
        "replace http://localhost:3100/api/auth/callback/umbrella with http://localhost:3101/api/auth/callback/umbrella",
      ],
      ["wonka", "Client ID and secret", "Client Credentials"],
      ["stark", "Okta app settings", "Redirect to app to initiate login (OIDC Compliant)"],
      ["hooli", "Groups claim in practice", 'Groups claim type: Filter, name "groups"'],
    ] as const;
    for (const [organization, check, fixText] of expectations) {
      await page.goto(`/admin/okta?connection=${organization}`);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Okta configuration check: ${organization}`);
      await page.getByRole("button", { name: "Run the check" }).click();
      const row = page.getByRole("list", { name: "Check results" }).getByRole("listitem", { name: check });
      await expect(row, organization).toContainText("fail");
      await expect(row, organization).toContainText(fixText);
    }
  });

  test("two runs started at once for the same connection become one run", async ({ page }) => {
    await new Porter(page).signInAs("admin@example.com");
    const runs = async () => {
      await page.goto("/admin/okta?connection=globex");
      return page.getByRole("region", { name: "Previous runs" }).getByRole("listitem").count();
    };
    const before = await runs();
    // Running is a POST from porter's page; a GET (a link, an image on another site) runs nothing (review finding 4).
    expect((await page.request.get("/admin/okta?run=1&connection=globex")).status()).toBe(200);
    await page.waitForTimeout(500);
    expect(await runs()).toBe(before);
    const start = () => page.request.post("/admin/okta/run", { form: { connection: "globex" }, maxRedirects: 0 });
    const [a, b] = await Promise.all([start(), start()]);
    expect([a.status(), b.status()]).toEqual([303, 303]);
    await expect.poll(runs, { timeout: 10_000 }).toBe(Math.min(before + 1, 10));
    await page.waitForTimeout(500);
    expect(await runs()).toBe(Math.min(before + 1, 10));
    const forged = await page.request.post("/admin/okta/run", {
      form: { connection: "globex" },
      headers: { origin: "https://evil.example" },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
  });

  test("an organization's admin who is not a platform operator checks only their own connection", async ({ page }) => {
    await new Porter(page).signInAs("admin@example.com", "initech");
    await page.goto("/admin/okta?connection=acme");
    await expect(
      page.getByText("You can run the configuration check on your own organization's connection only."),
    ).toBeVisible();
    await page.goto("/admin/okta");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Okta configuration check: initech");
    await expect(page.getByRole("navigation", { name: "Organizations to check" })).toHaveCount(0);
  });

  test("a viewer cannot open it", async ({ page }) => {
    await new Porter(page).signInAs("viewer@example.com");
    await page.goto("/admin/okta");
    await expect(page.getByRole("heading", { name: "You cannot open this page" })).toBeVisible();
  });

  test("npm run check-okta -- --json: healthy passes; each misconfigured demo app fails the expected check with the fix", async () => {
    const healthy = await checkOkta("acme");
    expect(healthy.code).toBe(0);
    expect(healthy.report.checks.filter((c) => c.status === "fail")).toEqual([]);

    // The Single-Page app (public client): no secret to check, reported as such (review finding 16).
    const spa = await checkOkta("acme-spa");
    expect(spa.code).toBe(0);
    expect(spa.report.checks.find((c) => c.id === "client_credentials")).toMatchObject({
      status: "pass",
      message: expect.stringContaining("Public client"),
    });

    // The org authorization server: discovery passes with a warning that /api/v1 needs a custom server.
    const org = await checkOkta("acme-org");
    expect(org.code).toBe(0);
    expect(org.report.checks.find((c) => c.id === "discovery")).toMatchObject({
      status: "warn",
      message: expect.stringContaining("org authorization server"),
    });

    const umbrella = await checkOkta("umbrella");
    expect(umbrella.code).toBe(1);
    expect(umbrella.report.checks.find((c) => c.id === "redirect_uri")).toMatchObject({
      status: "fail",
      message:
        "Your Okta app lists the EU callback, but this organization lives in the US: replace http://localhost:3100/api/auth/callback/umbrella with http://localhost:3101/api/auth/callback/umbrella.",
      value: "http://localhost:3101/api/auth/callback/umbrella",
    });

    const stark = await checkOkta("stark");
    expect(stark.code).toBe(1);
    const settings = stark.report.checks.find((c) => c.id === "app_settings");
    expect(settings?.status).toBe("fail");
    expect(settings?.message).toContain("Send ID Token directly to app");
    expect(settings?.message).toContain("implicit grant is on");
    expect(settings?.message).toContain("tile is hidden");
    expect(settings?.fix).toContain("Redirect to app to initiate login (OIDC Compliant)");

    const wonka = await checkOkta("wonka");
    expect(wonka.code).toBe(1);
    expect(wonka.report.checks.find((c) => c.id === "client_credentials")).toMatchObject({
      status: "fail",
      fix: expect.stringContaining("Client Credentials"),
    });
  });
});
