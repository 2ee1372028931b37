import { request as httpRequest } from "node:http";
import { expect, test } from "@playwright/test";
import { Porter } from "../pages/porter";
import { APP_URL, IDP_URL } from "../pages/env";

test.describe("sign-in through Okta (devidp) in a real browser", () => {
  test("admin signs in, sees their groups, /api/me answers, cookie is small and holds no tokens", async ({
    page,
    context,
  }) => {
    const porter = new Porter(page);
    await porter.signInAs("admin@example.com");
    const groups = page.getByRole("list", { name: "Groups" });
    for (const g of ["Port Admins", "Everyone", "PAM Linux Sysadmins"])
      await expect(groups.getByText(g, { exact: true })).toBeVisible();

    const me = await page.request.get("/api/me");
    expect(me.status()).toBe(200);
    const body = (await me.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      user: { email: "admin@example.com", name: "Ada Admin", sub: "00u1admin0000000001" },
      connection: "acme",
      region: "eu",
      groups: ["Everyone", "PAM Linux Sysadmins", "Port Admins"],
      permissions: [
        "services.read",
        "services.write",
        "services.write_any",
        "users.read",
        "users.write",
        "audit.read",
        "rules.read",
        "rules.write",
      ],
    });
    expect(body.roles).toContainEqual({
      role: "admin",
      via: [
        { group: "Port Admins", rule: "ADMIN_GROUPS (break-glass)", ruleId: "break-glass" },
        { group: "Port Admins", rule: 'group is "Port Admins"', ruleId: expect.any(String) },
      ],
    });

    const cookies = await context.cookies(APP_URL);
    const session = cookies.find((c) => c.name === "authjs.session-token");
    expect(session, "a session cookie is set").toBeTruthy();
    expect(session?.httpOnly).toBe(true);
    const total = cookies.reduce((n, c) => n + c.name.length + c.value.length, 0);
    expect(total).toBeLessThan(4096);
    // The cookie is an encrypted envelope around an opaque id: no JWT (ID or access token) rides in it.
    for (const c of cookies) expect(c.value).not.toMatch(/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+$/);
  });

  test("viewer signs in and out: the porter session and the Okta session both end", async ({ page }) => {
    const porter = new Porter(page);
    await porter.signInAs("viewer@example.com");
    await expect(page.getByRole("list", { name: "Groups" }).getByText("Everyone", { exact: true })).toBeVisible();
    expect((await page.request.get("/api/me")).status()).toBe(200);

    await porter.signOut();
    const me = await page.request.get("/api/me");
    expect(me.status()).toBe(401);
    expect(((await me.json()) as { error: { code: string } }).error.code).toBe("unauthenticated");

    // Okta (devidp) forgot the user too: starting again asks for the password.
    await porter.startSignIn();
    await porter.idp.expectVisible();
  });

  test("a user with exactly 100 groups signs in with a small cookie and a truncation warning", async ({
    page,
    context,
  }) => {
    const porter = new Porter(page);
    // At initech, whose Okta API token may not read people's groups: the claim's 100 are all porter has.
    await porter.signInAs("hundred@example.com", "initech");
    await expect(page.getByRole("status")).toContainText("exactly 100 groups");
    const me = (await (await page.request.get("/api/me")).json()) as { groups: string[] };
    expect(me.groups).toHaveLength(100);
    const cookies = await context.cookies(APP_URL);
    expect(cookies.reduce((n, c) => n + c.name.length + c.value.length, 0)).toBeLessThan(4096);
  });

  test("a user in 150 groups gets Okta's too-many-groups refusal explained with the Admin Console fix", async ({
    page,
  }) => {
    const porter = new Porter(page);
    await porter.startSignIn();
    await porter.idp.signIn("many@example.com");
    await porter.expectErrorPage("Your Okta account is in too many groups for the groups claim");
    await expect(page.getByText("The groups claim matched too many groups")).toBeVisible();
    await expect(page.getByText(/Sign On/).first()).toBeVisible();
    await expect(page.getByText('Under "OpenID Connect ID Token" click Edit.')).toBeVisible();
    expect((await page.request.get("/api/me")).status()).toBe(401);
  });

  test("wrong password at devidp: refused there, no porter session", async ({ page }) => {
    const porter = new Porter(page);
    await porter.startSignIn();
    await porter.idp.signIn("admin@example.com", "wrong-password");
    await expect(page.getByRole("alert")).toContainText("Unable to sign in");
    await porter.idp.expectVisible();
    expect((await page.request.get("/api/me")).status()).toBe(401);
  });

  test("cancel at Okta (error=access_denied) shows a plain page, not a crash", async ({ page }) => {
    const porter = new Porter(page);
    await porter.startSignIn();
    await porter.idp.cancel();
    await porter.expectErrorPage("Sign-in was cancelled");
    await expect(page.getByRole("button", { name: "Try signing in again" })).toBeVisible();
  });

  test("an Okta Single-Page app (public client, PKCE, no secret) signs in end to end (review finding 16)", async ({
    page,
  }) => {
    await page.goto("/login/acme-spa?callbackUrl=/profile");
    await new Porter(page).idp.signIn("dev@example.com");
    await expect(page).toHaveURL(/\/profile$/);
    const me = (await (await page.request.get("/api/me")).json()) as { connection: string; roles: { role: string }[] };
    expect(me.connection).toBe("acme-spa");
    expect(me.roles.map((r) => r.role)).toContain("member");
  });

  test("Okta's org authorization server (issuer = the org URL) signs in with groups from the ID token, and the bearer API explains why its access tokens are refused (review finding 16)", async ({
    page,
    request,
  }) => {
    await page.goto("/login/acme-org?callbackUrl=/profile");
    await new Porter(page).idp.signIn("dev@example.com");
    await expect(page).toHaveURL(/\/profile$/);
    const me = (await (await page.request.get("/api/me")).json()) as {
      connection: string;
      groups: string[];
      roles: { role: string }[];
    };
    expect(me).toMatchObject({ connection: "acme-org", groups: expect.arrayContaining(["team-payments"]) });
    expect(me.roles.map((r) => r.role)).toContain("member");
    // An access token of the org authorization server (Okta signs it; only Okta can verify it).
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    const token = `${b64({ alg: "RS256", kid: "org" })}.${b64({ iss: IDP_URL, aud: IDP_URL, cid: "porter-org", sub: "dev@example.com", exp: now + 300 })}.c2ln`;
    const res = await request.get("/api/v1/services", { headers: { authorization: `Bearer ${token}` } });
    expect(res.status()).toBe(401);
    expect(res.headers()["www-authenticate"]).toContain("org authorization server");
  });

  test("devidp refuses a request addressed to another name: a rebound DNS name cannot reach it (review)", async () => {
    const get = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(`${IDP_URL}/oauth2/default/.well-known/openid-configuration`);
        httpRequest({ host: "127.0.0.1", port: url.port, path: url.pathname, headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on("error", reject)
          .end();
      });
    expect(await get(new URL(IDP_URL).host)).toBe(200);
    expect(await get("rebound.example.com")).toBe(421);
  });
});
