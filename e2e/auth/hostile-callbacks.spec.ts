import { expect, test } from "@playwright/test";
import { IDP_PORT } from "../../playwright.config";
import { obtainCallback, recordCallbacks } from "../pages/callback-capture";
import { Porter } from "../pages/porter";

const STATE_PAGE = "This sign-in link has expired or was already used";

test.describe("the callback refuses what it did not start", () => {
  test("tampered state is refused", async ({ page }) => {
    const porter = new Porter(page);
    const callback = await obtainCallback(page, "dev@example.com");
    const state = callback.searchParams.get("state") ?? "";
    const i = Math.floor(state.length / 2);
    callback.searchParams.set("state", `${state.slice(0, i)}${state[i] === "A" ? "B" : "A"}${state.slice(i + 1)}`);
    await page.goto(callback.toString());
    await porter.expectErrorPage(STATE_PAGE);
    expect((await page.request.get("/api/me")).status()).toBe(401);
  });

  test("missing state is refused", async ({ page }) => {
    const porter = new Porter(page);
    const callback = await obtainCallback(page, "dev@example.com");
    callback.searchParams.delete("state");
    await page.goto(callback.toString());
    await porter.expectErrorPage(STATE_PAGE);
    expect((await page.request.get("/api/me")).status()).toBe(401);
  });

  test("a used callback (state and code) replayed later is refused", async ({ page, context }) => {
    const porter = new Porter(page);
    const seen = recordCallbacks(page);
    await porter.signInAs("dev@example.com");
    const used = seen[0];
    expect(used).toBeDefined();
    await context.clearCookies();
    await page.goto(used?.toString() ?? "/");
    await porter.expectErrorPage(STATE_PAGE);
    expect((await page.request.get("/api/me")).status()).toBe(401);
  });

  test("a code replayed inside a fresh flow is refused by Okta and explained", async ({ page, context, request }) => {
    const porter = new Porter(page);
    const seen = recordCallbacks(page);
    await porter.signInAs("dev@example.com");
    const first = seen[0];
    if (!first) throw new Error("no first callback");
    await context.clearCookies({ name: "authjs.session-token" });

    // A second flow (fresh state, nonce, PKCE) receives the first flow's code.
    const second = await obtainCallback(page, "dev@example.com");
    second.searchParams.set("code", first.searchParams.get("code") ?? "");
    await page.goto(second.toString());
    await porter.expectErrorPage("This sign-in code was already used or has expired");

    // The IdP itself refuses the used code, whatever client asks.
    const token = await request.post(`http://localhost:${String(IDP_PORT)}/oauth2/default/v1/token`, {
      form: {
        grant_type: "authorization_code",
        code: first.searchParams.get("code") ?? "",
        redirect_uri: `${first.origin}${first.pathname}`,
        code_verifier: "x".repeat(43),
      },
      headers: {
        authorization: `Basic ${Buffer.from("porter-eu:porter-eu-demo-secret-change-me").toString("base64")}`,
      },
    });
    expect(token.status()).toBe(400);
    expect(((await token.json()) as { error: string }).error).toBe("invalid_grant");
  });

  test("error=access_denied on the callback shows the cancelled page", async ({ page }) => {
    const porter = new Porter(page);
    const callback = await obtainCallback(page, "viewer@example.com");
    const denied = new URL(`${callback.origin}${callback.pathname}`);
    denied.searchParams.set("error", "access_denied");
    denied.searchParams.set("error_description", "<script>alert(1)</script>");
    denied.searchParams.set("state", callback.searchParams.get("state") ?? "");
    denied.searchParams.set("iss", callback.searchParams.get("iss") ?? "");
    await page.goto(denied.toString());
    await porter.expectErrorPage("Sign-in was cancelled");
    await expect(page.locator("script", { hasText: "alert(1)" })).toHaveCount(0);
  });

  for (const hostile of ["https://evil.example/", "//evil.example", "/\\evil.example", "http://%zz"]) {
    test(`callbackUrl ${hostile} lands on a porter page`, async ({ page }) => {
      const porter = new Porter(page);
      await porter.startSignIn(hostile);
      await porter.idp.signIn("viewer@example.com");
      await page.waitForLoadState("load");
      const landed = new URL(page.url());
      expect(landed.origin).toBe("http://localhost:3100");
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      expect((await page.request.get("/api/me")).status()).toBe(200);
    });
  }

  test("the sign-in route itself ignores a hostile callbackUrl", async ({ request }) => {
    for (const hostile of ["https://evil.example/", "//evil.example", "/\\evil.example", "http://%zz"]) {
      const res = await request.post("/login/acme", { form: { callbackUrl: hostile }, maxRedirects: 0 });
      expect(res.status()).toBe(303);
      expect(res.headers().location).toMatch(/^http:\/\/localhost:4100\/oauth2\/default\/v1\/authorize\?/);
      const callbackCookie = res.headers()["set-cookie"] ?? "";
      expect(decodeURIComponent(callbackCookie)).not.toContain("evil.example");
    }
  });

  test("a malformed Bearer header gets 401 JSON, not a crash", async ({ request }) => {
    const res = await request.get("/api/me", { headers: { authorization: "Bearer %E0%A4%A" } });
    expect(res.status()).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthenticated");
  });

  test("an unknown connection is a plain 404 that names no customer", async ({ page }) => {
    const res = await page.goto("/login/no-such-org");
    expect(res?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await expect(page.getByText("acme")).toHaveCount(0);
  });

  test("a sibling site cannot end the session with a forged switch of account (review finding 5)", async ({ page }) => {
    await new Porter(page).signInAs("viewer@example.com");
    const forged: Record<string, string>[] = [
      { origin: "http://localhost:3101", "sec-fetch-site": "same-site" },
      { origin: "https://evil.example" },
    ];
    for (const headers of forged) {
      const res = await page.request.post("/login/acme", {
        form: { switch: "1", callbackUrl: "/" },
        headers,
        maxRedirects: 0,
      });
      expect(res.status()).toBe(403);
    }
    expect((await page.request.get("/api/me")).status()).toBe(200);
  });

  test("malformed percent-encoding anywhere gets a 4xx, never a 500 (review finding 15)", async ({ request }) => {
    const gets = [
      "/login/%zz",
      "/login/%zz/initiate",
      "/api/auth/%zz",
      "/api/auth/callback/%zz",
      "/services/%zz",
      "/admin/users/%zz",
      "/admin/audit?q=%zz&since=%E0%A4",
      "/auth/error?code=%zz&ref=%",
      "/?callbackUrl=%zz",
      "/login/acme?callbackUrl=%E0%A4%A&login_hint=%",
      "/api/v1/services/%zz",
      "/admin/audit/export?format=%zz",
    ];
    for (const path of gets) {
      const res = await request.get(path, { maxRedirects: 0 });
      expect(res.status(), path).toBeLessThan(500);
    }
    const patch = await request.patch("/api/v1/services/%zz", {
      data: '{"description": "%zz"',
      headers: { "content-type": "application/json", authorization: "Bearer a.b.c" },
    });
    expect(patch.status()).toBeLessThan(500);
    const form = await request.post("/login/acme", {
      data: "callbackUrl=%zz&login_hint=%E0%A4%A",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      maxRedirects: 0,
    });
    expect(form.status()).toBeLessThan(500);
    const cookie = await request.get("/api/me", {
      headers: { cookie: "authjs.session-token=%zz; authjs.state=%E0%A4%A" },
    });
    expect(cookie.status()).toBe(401);
  });
});
