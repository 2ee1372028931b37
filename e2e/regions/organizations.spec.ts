import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { DevIdpSignIn } from "../pages/devidp-sign-in";
import { ISSUER, serviceAccessToken } from "../pages/okta-tokens";
import { Porter } from "../pages/porter";
import { SIGN_IN_LIMIT } from "../../playwright.config";

const EU = "http://localhost:3100";
const US = "http://localhost:3101";
const IDP = "http://localhost:4100";

async function me(request: APIRequestContext, base = EU): Promise<Record<string, unknown> | null> {
  const res = await request.get(`${base}/api/me`);
  return res.status() === 200 ? ((await res.json()) as Record<string, unknown>) : null;
}

async function serviceIdOf(page: Page, name: string): Promise<string> {
  await page.goto(`${EU}/services`);
  const href = await page.getByRole("link", { name, exact: true }).getAttribute("href");
  return href?.split("/").pop() ?? "";
}

test.describe("organizations, regions and the three ways in", () => {
  test("the porter tile on the devidp dashboard signs in with no further prompt", async ({ page }) => {
    await page.goto(`${IDP}/app/UserHome`);
    await new DevIdpSignIn(page).signIn("dev@example.com");
    await expect(page.getByRole("heading", { name: "My Apps" })).toBeVisible();
    await page.getByRole("navigation", { name: "Apps" }).getByRole("link", { name: "porter (EU) · acme" }).click();
    await expect(page).toHaveURL(`${EU}/`);
    await expect(page.getByRole("heading", { name: /Welcome back/ })).toBeVisible();
    expect(await me(page.request)).toMatchObject({ user: { email: "dev@example.com" }, connection: "acme" });
  });

  test("the direct login URL starts sign-in at once and lands where asked", async ({ page }) => {
    await page.goto(`${EU}/login/acme?callbackUrl=/services`);
    await new DevIdpSignIn(page).signIn("viewer@example.com");
    await expect(page).toHaveURL(`${EU}/services`);
    await expect(page.getByRole("heading", { name: "Service catalog" })).toBeVisible();
  });

  test("a US organization reached through the EU app ends signed in on the US app", async ({ page }) => {
    const porter = new Porter(page);
    await porter.startSignIn("/profile", "globex");
    await new DevIdpSignIn(page).signIn("dev@example.com");
    await expect(page).toHaveURL(`${US}/profile`);
    expect(await me(page.request, US)).toMatchObject({
      connection: "globex",
      region: "us",
      user: { email: "dev@example.com" },
    });
    expect(await me(page.request, EU)).toBeNull();
  });

  test("an organization never sees another's data, by page or by API", async ({ page, browser }) => {
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await new Porter(otherPage).signInAs("dev@example.com", "initech");
    const initechService = await serviceIdOf(otherPage, "tps-reports");
    await other.close();

    await new Porter(page).signInAs("dev@example.com", "acme");
    await page.goto(`${EU}/services`);
    await expect(page.getByRole("link", { name: "payments-api", exact: true })).toBeVisible();
    await expect(page.getByText("tps-reports")).toHaveCount(0);
    await page.goto(`${EU}/services/${initechService}`);
    await expect(page.getByRole("heading", { name: /not found/i })).toBeVisible();

    const token = await serviceAccessToken(page.request);
    const headers = { authorization: `Bearer ${token}` };
    const list = (await (await page.request.get(`${EU}/api/v1/services`, { headers })).json()) as {
      services: { name: string }[];
    };
    expect(list.services.map((s) => s.name)).not.toContain("tps-reports");
    expect((await page.request.get(`${EU}/api/v1/services/${initechService}`, { headers })).status()).toBe(404);
    expect(
      (
        await page.request.patch(`${EU}/api/v1/services/${initechService}`, { headers, data: { description: "x" } })
      ).status(),
    ).toBe(404);
  });

  test("a US organization's access token called at the EU deployment is told where to call (421)", async ({
    request,
  }) => {
    const token = await serviceAccessToken(request, "porter.read", "porter-us-ci");
    const headers = { authorization: `Bearer ${token}` };
    const eu = await request.get(`${EU}/api/v1/services`, { headers });
    expect(eu.status()).toBe(421);
    expect(await eu.json()).toMatchObject({
      error: {
        code: "wrong_region",
        message: `This organization lives in the US region: call ${US}/api/v1/services instead.`,
      },
    });
    const us = await request.get(`${US}/api/v1/services`, { headers });
    expect(us.status()).toBe(200);
    expect(((await us.json()) as { services: { name: string }[] }).services.map((s) => s.name)).toEqual([
      "hammock-api",
    ]);
  });

  test("the admin page lists the four URLs of the organization's own connection, for its home region", async ({
    page,
  }) => {
    await new Porter(page).signInAs("admin@example.com");
    await page.goto(`${EU}/admin/connection`);
    for (const [label, value] of [
      ["Sign-in redirect URI", `${EU}/api/auth/callback/acme`],
      ["Sign-out redirect URI", `${EU}/signed-out`],
      ["Initiate login URI", `${EU}/login/acme/initiate`],
      ["Direct login URL", `${EU}/login/acme`],
    ] as const) {
      await expect(page.getByLabel(label, { exact: true })).toHaveText(value);
      await expect(page.getByRole("button", { name: `Copy ${label}` })).toBeVisible();
    }
    await expect(page.getByText("globex")).toHaveCount(0);
  });

  test("a callback that reaches the wrong region is refused with the URI to register instead", async ({ page }) => {
    await page.goto(`${US}/api/auth/callback/acme?code=abc&state=xyz`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Okta sent the sign-in to the wrong region");
    await expect(
      page.getByText(`Replace ${US}/api/auth/callback/acme with ${EU}/api/auth/callback/acme`),
    ).toBeVisible();
  });
});

test.describe("initiate login URI (OIDC third-party initiated login)", () => {
  const initiate = (q: Record<string, string>, org = "acme") =>
    `${EU}/login/${org}/initiate?${new URLSearchParams(q).toString()}`;

  test("a valid iss starts a fresh Authorization Code + PKCE flow, by GET and by POST, with login_hint passed on", async ({
    request,
  }) => {
    const locations = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const res = await request.get(initiate({ iss: ISSUER, login_hint: "dev@example.com", unknown: "ignored" }), {
        maxRedirects: 0,
      });
      expect(res.status()).toBe(303);
      const to = new URL(res.headers().location ?? "");
      expect(`${to.origin}${to.pathname}`).toBe(`${ISSUER}/v1/authorize`);
      expect(to.searchParams.get("code_challenge_method")).toBe("S256");
      expect(to.searchParams.get("login_hint")).toBe("dev@example.com");
      locations.add(`${to.searchParams.get("state") ?? ""}|${to.searchParams.get("nonce") ?? ""}`);
    }
    expect(locations.size).toBe(2);
    const post = await request.post(`${EU}/login/acme/initiate`, { form: { iss: ISSUER }, maxRedirects: 0 });
    expect(post.status()).toBe(303);
    expect(post.headers().location).toContain("/v1/authorize");
  });

  test("iss missing, different, http, with a trailing slash or other case: 400 with what to fix", async ({
    request,
  }) => {
    for (const iss of [
      undefined,
      "https://evil.example.com/oauth2/default",
      ISSUER.replace("http://", "https://"),
      `${ISSUER}/`,
      ISSUER.toUpperCase(),
    ]) {
      const res = await request.get(initiate(iss === undefined ? {} : { iss }), { maxRedirects: 0 });
      expect(res.status(), String(iss)).toBe(400);
      const body = await res.text();
      expect(body).toContain("This Okta sign-in link is not for this organization");
      expect(body).toContain("Reference:");
      if (iss) expect(body).not.toContain(iss);
    }
  });

  test("tokens sent directly are refused with the Okta setting to change", async ({ request }) => {
    const res = await request.post(`${EU}/login/acme/initiate`, {
      form: { iss: ISSUER, id_token: "eyJhbGciOiJub25lIn0.e30." },
      maxRedirects: 0,
    });
    expect(res.status()).toBe(400);
    expect(await res.text()).toContain("Redirect to app to initiate login (OIDC Compliant)");
  });

  test("target_link_uri is kept only as a same-origin path", async ({ page }) => {
    await new Porter(page).signInAs("dev@example.com");
    for (const [target, expected] of [
      ["/services", `${EU}/services`],
      [`${EU}/services`, `${EU}/services`],
      ["https://evil.example/", `${EU}/`],
      ["//evil.example", `${EU}/`],
      ["/\\evil.example", `${EU}/`],
      ["javascript:alert(1)", `${EU}/`],
      ["https://app.evil.example/x", `${EU}/`],
    ] as const) {
      const res = await page.request.get(initiate({ iss: ISSUER, target_link_uri: target }), { maxRedirects: 0 });
      expect(res.status(), target).toBe(303);
      expect(res.headers().location, target).toBe(expected);
    }
  });

  test("another person's sign-in never silently replaces the signed-in one", async ({ page, playwright }) => {
    await new Porter(page).signInAs("dev@example.com");
    await page.goto(initiate({ iss: ISSUER, login_hint: "viewer@example.com" }));
    await expect(page.getByRole("heading", { name: "You are already signed in" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Continue as dev@example.com" })).toBeVisible();
    expect(await me(page.request)).toMatchObject({ user: { email: "dev@example.com" } });

    // Switching ends dev's porter session and makes Okta ask who signs in (prompt=login).
    const devCookie = (await page.context().cookies(EU)).find((c) => c.name === "authjs.session-token");
    await page.getByRole("button", { name: "Sign in as viewer@example.com" }).click();
    await new DevIdpSignIn(page).signIn("viewer@example.com");
    await expect(page).toHaveURL(`${EU}/`);
    expect(await me(page.request)).toMatchObject({ user: { email: "viewer@example.com" } });
    const old = await playwright.request.newContext({
      extraHTTPHeaders: { cookie: `authjs.session-token=${devCookie?.value ?? ""}` },
    });
    expect((await old.get(`${EU}/api/me`)).status()).toBe(401);
    await old.dispose();
  });

  test("unknown connections and hostile names get a 404 that reveals nothing", async ({ request }) => {
    for (const path of [
      "/login/nosuchorg/initiate?iss=x",
      "/login/%3Cscript%3Ealert(1)%3C%2Fscript%3E/initiate",
      "/login/..%2F..%2Fadmin",
      "/login/nosuchorg",
    ]) {
      const res = await request.get(`${EU}${path}`, { maxRedirects: 0 });
      expect(res.status(), path).toBe(404);
      const body = await res.text();
      expect(body).not.toContain("<script>alert");
      expect(body).not.toMatch(/acme|initech|globex/);
    }
  });

  test("Auth.js's unused actions answer 404 and name no organization (review finding 1)", async ({ request }) => {
    for (const path of [
      "/api/auth/providers",
      "/api/auth/session",
      "/api/auth/csrf",
      "/api/auth/signin",
      "/api/auth/signin/acme",
      "/api/auth/signout",
      "/api/auth/error",
    ]) {
      const res = await request.get(`${EU}${path}`, { maxRedirects: 0 });
      expect(res.status(), path).toBe(404);
      expect(await res.text(), path).not.toMatch(/acme|initech|globex/);
    }
    const health = await (await request.get(`${EU}/api/health`)).text();
    expect(health).not.toMatch(/acme|initech|globex|umbrella/);
    // The documented staleness bound is public; liveness and readiness for a load balancer name nobody either.
    expect(JSON.parse(health)).toMatchObject({
      liveGroups: { groupsMaxAgeSeconds: 30, groupsGraceSeconds: 900, logPollSeconds: 30 },
    });
    expect(await (await request.get(`${EU}/api/health/live`)).json()).toEqual({ status: "live" });
    const ready = await request.get(`${EU}/api/health/ready`);
    expect(ready.status()).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", database: "ok" });
    // The pages' CSP names no customer's Okta origin: the hop to Okta is a page of its own.
    const csp = (await request.get(`${EU}/`)).headers()["content-security-policy"] ?? "";
    expect(csp).toMatch(/form-action 'self' http:\/\/localhost:3100 http:\/\/localhost:3101;/);
    expect(csp).not.toContain("4100");
    // The error page shows an organization's client ID or issuer only to a signed-in admin of it.
    for (const [code, org, secret] of [
      ["invalid_client", "wonka", "porter-wonka"],
      ["issuer_unreachable", "acme", "localhost:4100"],
      ["id_token_invalid", "globex", "localhost:4100"],
    ] as const) {
      const page = await (await request.get(`${EU}/auth/error?code=${code}&connection=${org}`)).text();
      expect(page, code).not.toContain(secret);
    }
  });

  test("initiations past the per-address limit: 429 with Retry-After, nothing stored per attempt", async ({
    request,
  }) => {
    const statuses: number[] = [];
    let retryAfter = "";
    for (let i = 0; i < SIGN_IN_LIMIT + 30; i++) {
      const res = await request.get(initiate({ iss: ISSUER }), {
        maxRedirects: 0,
        headers: { "x-forwarded-for": "203.0.113.50" },
      });
      statuses.push(res.status());
      if (res.status() === 429) retryAfter = res.headers()["retry-after"] ?? "";
    }
    expect(statuses.slice(0, SIGN_IN_LIMIT).every((s) => s === 303)).toBe(true);
    expect(statuses.slice(SIGN_IN_LIMIT).every((s) => s === 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});
