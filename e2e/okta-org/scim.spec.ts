import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { IDP_PORT } from "../../playwright.config";
import { Porter } from "../pages/porter";

/*
 * Okta provisions acme-scim over SCIM (devidp plays Okta's provisioning client): people, pushed groups,
 * time-bound grants, deactivation, unassignment. This project runs after the main one: it changes people's
 * groups and status in devidp.
 */
const IDP = `http://localhost:${String(IDP_PORT)}`;
const ADMIN = { authorization: "SSWS devidp-demo-admin-token" };
const SCIM_TOKEN = { authorization: "Bearer porter-demo-scim-token" };
const CONTRACTOR = "00u1contractor00007";
const ONCALL = "00u1oncall000000008";

test.describe.configure({ mode: "serial" });

const roles = async (page: Page) => {
  const res = await page.request.get("/api/me");
  if (res.status() !== 200) return [`HTTP ${String(res.status())}`];
  return ((await res.json()) as { roles: { role: string }[] }).roles.map((r) => r.role).sort();
};

async function groupId(request: APIRequestContext, name: string): Promise<string> {
  const groups = (await (
    await request.get(`${IDP}/api/v1/groups?q=${encodeURIComponent(name)}`, { headers: ADMIN })
  ).json()) as {
    id: string;
    profile: { name: string };
  }[];
  const group = groups.find((g) => g.profile.name === name);
  if (!group) throw new Error(`devidp has no group ${name}`);
  return group.id;
}

test("a person signed in to acme-scim gains a role when Okta pushes a group and loses it when the grant ends or is removed, with no new sign-in", async ({
  page,
  request,
}) => {
  await new Porter(page).signInAs("contractor@example.com", "acme-scim");
  expect(await roles(page)).toEqual(["viewer"]);
  await expect(page.getByLabel("Groups source")).toContainText("Pushed by Okta over SCIM");
  const pam = await groupId(request, "PAM Linux Sysadmins");
  // An Okta Access Requests-style grant for 8 seconds: pushed at once, removed when it ends.
  expect(
    (
      await request.put(`${IDP}/api/v1/groups/${pam}/users/${CONTRACTOR}?expiresInSeconds=8`, { headers: ADMIN })
    ).status(),
  ).toBe(204);
  await expect.poll(() => roles(page), { timeout: 10_000 }).toEqual(["sre", "viewer"]);
  await expect.poll(() => roles(page), { timeout: 30_000 }).toEqual(["viewer"]);
  // Granted and removed by hand.
  await request.put(`${IDP}/api/v1/groups/${pam}/users/${CONTRACTOR}`, { headers: ADMIN });
  await expect.poll(() => roles(page), { timeout: 10_000 }).toEqual(["sre", "viewer"]);
  await request.delete(`${IDP}/api/v1/groups/${pam}/users/${CONTRACTOR}`, { headers: ADMIN });
  await expect.poll(() => roles(page), { timeout: 10_000 }).toEqual(["viewer"]);
});

test("deactivation in Okta signs the person out of acme-scim; unassigned, the sign-in page says what to change in Okta; reassigned, they sign in", async ({
  page,
  request,
}) => {
  const porter = new Porter(page);
  await porter.signInAs("oncall@example.com", "acme-scim");
  try {
    expect(
      (await request.post(`${IDP}/api/v1/users/${ONCALL}/lifecycle/deactivate`, { headers: ADMIN })).status(),
    ).toBe(200);
    await expect.poll(async () => (await page.request.get("/api/me")).status(), { timeout: 10_000 }).toBe(401);
    await request.post(`${IDP}/api/v1/users/${ONCALL}/lifecycle/activate`, { headers: ADMIN });
    // Unassigned from the app: Okta sends active: false to porter only (oncall can still sign in to Okta).
    expect((await request.delete(`${IDP}/api/v1/apps/porter-scim/users/${ONCALL}`, { headers: ADMIN })).status()).toBe(
      204,
    );
    await page.context().clearCookies();
    await porter.startSignIn("/profile", "acme-scim");
    await porter.idp.signIn("oncall@example.com");
    await porter.expectErrorPage("Your porter access was deactivated in Okta");
    await expect(page.getByText("Applications > Applications > (your porter app) > Assignments")).toBeVisible();
  } finally {
    await request.post(`${IDP}/api/v1/users/${ONCALL}/lifecycle/activate`, { headers: ADMIN });
    await request.post(`${IDP}/api/v1/apps/porter-scim/users`, { headers: ADMIN, data: { id: ONCALL } });
  }
  await page.context().clearCookies();
  await porter.signInAs("oncall@example.com", "acme-scim");
  expect(await roles(page)).toEqual(["viewer"]);
});

test("the access review and the users page cover people Okta provisioned who never signed in", async ({ page }) => {
  await new Porter(page).signInAs("admin@example.com", "acme-scim");
  await page.goto("/admin/users?status=provisioned");
  const people = page.getByRole("table", { name: "People" });
  const hundred = people.getByRole("row").filter({ hasText: "hundred@example.com" });
  await expect(hundred).toContainText("provisioned, never signed in");
  const review = await page.request.get("/admin/users/export");
  expect(review.status()).toBe(200);
  expect(await review.text()).toMatch(/^hundred@example\.com,[^\n]*,provisioned,yes,/m);
  await page.goto("/admin/provisioning");
  await expect(page.getByLabel("SCIM connector base URL", { exact: true })).toHaveText(/\/scim\/v2\/acme-scim$/);
  await expect(page.getByRole("table", { name: "SCIM tokens" })).toContainText("from the environment");
  // The filter playground tries the groups Okta pushes (read where Okta pushed them, not from sign-ins).
  await page.goto("/admin/rules?block=Engineering");
  const playground = page.getByRole("status", { name: "Filter playground" });
  await expect(playground).toContainText(/Of the \d+ groups Okta pushes with someone active in them, it keeps/);
  await expect(playground).toContainText("Dropped: Engineering");
});

test("SCIM over HTTP: no token, a wrong one, another organization's; bad bodies; each a SCIM error, never a 5xx", async ({
  page,
  request,
}) => {
  // acme's admin makes a token for acme on the console: shown once.
  await new Porter(page).signInAs("admin@example.com");
  await page.goto("/admin/provisioning");
  await page.getByLabel("Name (where it is used)").fill("e2e");
  await page.getByRole("button", { name: "Create token" }).click();
  const status = page.getByRole("status");
  await expect(status).toContainText("Copy it now");
  const acmeToken = /(scim_[A-Za-z0-9_-]{43})/.exec((await status.textContent()) ?? "")?.[1];
  expect(acmeToken).toBeTruthy();
  const acme = { authorization: `Bearer ${String(acmeToken)}` };
  expect((await request.get("/scim/v2/acme/ServiceProviderConfig", { headers: acme })).status()).toBe(200);
  // Another organization's token, none, a wrong one: 401 in SCIM's error schema (status as a string).
  for (const headers of [acme, {}, { authorization: "Bearer not-a-token-at-all-000000" }]) {
    const res = await request.get("/scim/v2/acme-scim/Users", { headers });
    expect(res.status()).toBe(401);
    expect(res.headers()["content-type"]).toContain("application/scim+json");
    expect(await res.json()).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "401" });
  }
  const post = (data: string, type = "application/scim+json") =>
    request.post("/scim/v2/acme-scim/Users", { headers: { ...SCIM_TOKEN, "content-type": type }, data });
  expect((await post("{not json")).status()).toBe(400);
  expect((await post("{}", "text/plain")).status()).toBe(415);
  expect((await post(JSON.stringify({ userName: "x".repeat(6 * 1024 * 1024) }))).status()).toBe(413);
  const unknown = await request.get("/scim/v2/acme-scim/Users/00919288221112222", { headers: SCIM_TOKEN });
  expect(unknown.status()).toBe(404);
  expect(await unknown.json()).toMatchObject({ status: "404" });
  // The refusals are on acme-scim's Provisioning page and in its audit log.
  await page.context().clearCookies();
  await new Porter(page).signInAs("admin@example.com", "acme-scim");
  await page.goto("/admin/provisioning");
  await expect(page.getByRole("table", { name: "Refused SCIM requests" })).toContainText("401");
});
