import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { importJWK, SignJWT, type JWK } from "jose";
import { APP_PORT, GROUPS_MAX_AGE, IDP_PORT, US_PORT } from "../../playwright.config";
import { DevIdpSignIn } from "../pages/devidp-sign-in";
import { userAccessToken } from "../pages/okta-tokens";
import { Porter } from "../pages/porter";

/*
 * Live group state against devidp's Okta side: memberships changed through Okta's management API reach
 * porter by the Event Hook the demo registered; "Clear user sessions" reaches it by Universal Logout. This
 * project runs after every other one: it changes dev@example.com's groups in devidp.
 */
const IDP = `http://localhost:${String(IDP_PORT)}`;
const ADMIN = { authorization: "SSWS devidp-demo-admin-token" };
const DEV = "00u1dev000000000002";
const GTR = "/api/okta/acme/global-token-revocation";
const AUD = `http://localhost:${String(APP_PORT)}${GTR}`;

const roles = async (page: Page) =>
  ((await (await page.request.get("/api/me")).json()) as { roles: { role: string }[] }).roles.map((r) => r.role);

async function pamGroupId(request: APIRequestContext): Promise<string> {
  const groups = (await (await request.get(`${IDP}/api/v1/groups?q=PAM`, { headers: ADMIN })).json()) as {
    id: string;
    profile: { name: string };
  }[];
  const pam = groups.find((g) => g.profile.name === "PAM Linux Sysadmins");
  if (!pam) throw new Error("devidp has no PAM Linux Sysadmins group");
  return pam.id;
}

/** A Universal Logout token as Okta signs it, with devidp's ID-token key (read from its data directory). */
async function logoutToken(
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  const { jwks } = JSON.parse(readFileSync("data/e2e/devidp/keys.json", "utf8")) as { jwks: { keys: JWK[] } };
  const jwk = jwks.keys[0];
  if (!jwk) throw new Error("no devidp key");
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: IDP,
    sub: "porter-eu",
    aud: AUD,
    iat: now,
    nbf: now - 300,
    exp: now + 300,
    jti: randomUUID(),
    ...claims,
  })
    .setProtectedHeader({ alg: "RS256", typ: "global-token-revocation+jwt", kid: jwk.kid ?? "", ...header })
    .sign(await importJWK(jwk, "RS256"));
}

test.describe.configure({ mode: "serial" });

test.describe("Roles follow Okta (devidp's management API, Event Hook, Universal Logout)", () => {
  test("a 2-minute PAM grant gives dev sre on the next page; removing it takes sre away without a new sign-in, and the log says why", async ({
    page,
    browser,
    request,
  }) => {
    await new Porter(page).signInAs("dev@example.com");
    expect(await roles(page)).not.toContain("sre");
    const pam = await pamGroupId(request);

    const grant = await request.put(`${IDP}/api/v1/groups/${pam}/users/${DEV}?expiresInSeconds=120`, {
      headers: ADMIN,
    });
    expect(grant.status()).toBe(204);
    expect(grant.headers()["x-devidp-grant-expires"]).toBeTruthy();
    await expect.poll(() => roles(page), { timeout: 5_000 }).toContain("sre");
    await page.goto("/services");
    await expect(page.getByText("You can edit every service.")).toBeVisible();

    expect((await request.delete(`${IDP}/api/v1/groups/${pam}/users/${DEV}`, { headers: ADMIN })).status()).toBe(204);
    await expect.poll(() => roles(page), { timeout: 5_000 }).not.toContain("sre");
    await page.goto("/services");
    await expect(page.getByText("You can edit every service.")).toHaveCount(0);

    // The grant's timer: a 3-second grant comes and goes on its own.
    expect(
      (await request.put(`${IDP}/api/v1/groups/${pam}/users/${DEV}?expiresInSeconds=3`, { headers: ADMIN })).status(),
    ).toBe(204);
    await expect.poll(() => roles(page), { timeout: 5_000 }).toContain("sre");
    await expect.poll(() => roles(page), { timeout: 10_000 }).not.toContain("sre");

    const admin = await (await browser.newContext()).newPage();
    await new Porter(admin).signInAs("admin@example.com");
    await admin.goto("/admin/audit?type=roles.changed&q=dev%40example.com");
    await expect(
      admin.getByText(/lost sre: Okta removed PAM Linux Sysadmins, event [0-9a-f-]{36}/).first(),
    ).toBeVisible();
    await expect(admin.getByText(/gained sre: Okta added PAM Linux Sysadmins/).first()).toBeVisible();
  });

  test("Clear user sessions with apps included ends dev's porter session through Universal Logout", async ({
    page,
    browser,
    request,
  }) => {
    await new Porter(page).signInAs("dev@example.com");
    const cleared = await request.delete(`${IDP}/api/v1/users/${DEV}/sessions?universalLogout=true`, {
      headers: ADMIN,
    });
    expect(cleared.status()).toBe(204);
    expect(JSON.parse(cleared.headers()["x-devidp-universal-logout"] ?? "[]")).toContainEqual({
      app: "porter-eu",
      status: 204,
    });
    expect((await page.request.get("/api/me")).status()).toBe(401);
    await page.goto("/profile");
    await expect(page.getByRole("button", { name: "Sign in with Okta" })).toBeVisible();

    const admin = await (await browser.newContext()).newPage();
    await new Porter(admin).signInAs("admin@example.com");
    await admin.goto("/admin/audit?type=session.revoked&q=dev%40example.com");
    await expect(admin.getByText("Okta Universal Logout").first()).toBeVisible();
  });

  test("the bearer API refuses dev's access token issued before Okta ended dev's access (review finding 7)", async ({
    page,
    request,
    playwright,
  }) => {
    await new Porter(page).signInAs("dev@example.com");
    const cli = await playwright.request.newContext();
    const token = await userAccessToken(cli, "dev@example.com");
    await cli.dispose();
    const me = () => request.get("/api/v1/me", { headers: { authorization: `Bearer ${token}` } });
    expect((await me()).status()).toBe(200);
    // Okta ends dev's sessions with Universal Logout: porter's sessions end, and so does the token.
    await request.delete(`${IDP}/api/v1/users/${DEV}/sessions?universalLogout=true`, { headers: ADMIN });
    const refused = await me();
    expect(refused.status()).toBe(401);
    expect(refused.headers()["www-authenticate"]).toContain("access was ended");
  });

  test("a group Okta removed grants nothing through a token minted before the removal (review finding 7)", async ({
    page,
    request,
    playwright,
  }) => {
    await new Porter(page).signInAs("dev@example.com");
    const pam = await pamGroupId(request);
    expect((await request.put(`${IDP}/api/v1/groups/${pam}/users/${DEV}`, { headers: ADMIN })).status()).toBe(204);
    await expect.poll(() => roles(page), { timeout: 5_000 }).toContain("sre");
    const cli = await playwright.request.newContext();
    const token = await userAccessToken(cli, "dev@example.com");
    await cli.dispose();
    const tokenRoles = async () =>
      (
        (await (await request.get("/api/v1/me", { headers: { authorization: `Bearer ${token}` } })).json()) as {
          roles: { role: string }[];
        }
      ).roles.map((r) => r.role);
    expect(await tokenRoles()).toContain("sre");
    expect((await request.delete(`${IDP}/api/v1/groups/${pam}/users/${DEV}`, { headers: ADMIN })).status()).toBe(204);
    await expect.poll(() => roles(page), { timeout: 5_000 }).not.toContain("sre");
    expect(await tokenRoles()).not.toContain("sre");
  });

  test("Universal Logout refuses what Okta would never send: 401, 403, 400, 404; a jti works once", async ({
    request,
  }) => {
    const body = { sub_id: { format: "email", email: "dev@example.com" } };
    const post = (authorization: string | null, data: unknown = body) =>
      request.post(GTR, { data, headers: authorization ? { authorization } : {} });
    expect((await post(null)).status()).toBe(401);
    expect((await post("Bearer not.a.jwt")).status()).toBe(401);
    expect(
      (
        await post(
          `Bearer ${await logoutToken({ exp: Math.floor(Date.now() / 1000) - 120, iat: Math.floor(Date.now() / 1000) - 420 })}`,
        )
      ).status(),
    ).toBe(401);
    expect(
      (
        await post(
          `Bearer ${await logoutToken({ aud: `http://localhost:${String(APP_PORT)}/api/okta/initech/global-token-revocation` })}`,
        )
      ).status(),
    ).toBe(401);
    expect((await post(`Bearer ${await logoutToken({ iss: "https://another-org.okta.com" })}`)).status()).toBe(401);
    // alg none: a header and claims, no signature.
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    expect(
      (
        await post(
          `Bearer ${b64({ alg: "none", typ: "global-token-revocation+jwt" })}.${b64({ iss: IDP, sub: "porter-eu", aud: AUD, jti: randomUUID() })}.`,
        )
      ).status(),
    ).toBe(401);
    // A valid token of another app (initech's) cannot log out acme's people.
    expect((await post(`Bearer ${await logoutToken({ sub: "porter-initech" })}`)).status()).toBe(403);
    expect((await post(`Bearer ${await logoutToken()}`, { sub_id: { format: "opaque", id: "00u1" } })).status()).toBe(
      400,
    );
    expect((await post(`Bearer ${await logoutToken()}`, "not json")).status()).toBe(400);
    expect(
      (
        await post(`Bearer ${await logoutToken()}`, { sub_id: { format: "email", email: "nobody@example.com" } })
      ).status(),
    ).toBe(404);

    const once = await logoutToken();
    expect((await post(`Bearer ${once}`)).status()).toBe(204);
    const replay = await post(`Bearer ${once}`);
    expect(replay.status()).toBe(401);
    expect(((await replay.json()) as { error: { message: string } }).error.message).toContain("already used");
  });

  test("many@example.com signs in at acme-dir with all 150 groups, read from Okta's Users API", async ({ page }) => {
    await new Porter(page).signInAs("many@example.com", "acme-dir");
    await expect(page.getByLabel("Groups source")).toContainText("From Okta's Users API");
    const me = (await (await page.request.get("/api/me")).json()) as { groups: string[]; connection: string };
    expect(me.connection).toBe("acme-dir");
    expect(me.groups).toHaveLength(150);
  });

  test("without a hook or polling (globex), a group removed in Okta is gone after GROUPS_MAX_AGE: re-read silently with the refresh token", async ({
    page,
    request,
  }) => {
    const US = `http://localhost:${String(US_PORT)}`;
    const usRoles = async () => {
      const res = await page.request.get(`${US}/api/me`);
      return res.ok()
        ? ((await res.json()) as { roles: { role: string }[] }).roles.map((r) => r.role)
        : [`HTTP ${String(res.status())}`];
    };
    await new Porter(page).startSignIn("/profile", "globex");
    await new DevIdpSignIn(page).signIn("dev@example.com");
    await expect(page).toHaveURL(`${US}/profile`);
    expect(await usRoles()).toContain("member");
    const payments =
      (
        (await (await request.get(`${IDP}/api/v1/groups?q=team-payments`, { headers: ADMIN })).json()) as {
          id: string;
        }[]
      )[0]?.id ?? "";
    expect((await request.delete(`${IDP}/api/v1/groups/${payments}/users/${DEV}`, { headers: ADMIN })).status()).toBe(
      204,
    );
    try {
      // Within GROUPS_MAX_AGE the session keeps what Okta last confirmed; after it, the next request re-reads.
      expect(await usRoles()).toContain("member");
      await expect.poll(usRoles, { timeout: (GROUPS_MAX_AGE + 15) * 1000, intervals: [2000] }).toEqual(["viewer"]);
      await page.goto(`${US}/profile`);
      await expect(page.getByLabel("Groups source")).toContainText("last confirmed by Okta");
    } finally {
      await request.put(`${IDP}/api/v1/groups/${payments}/users/${DEV}`, { headers: ADMIN });
    }
  });
});
