import { expect, test, type Page } from "@playwright/test";
import { expectAccessible } from "../pages/axe";
import { Porter } from "../pages/porter";

/*
 * Every page of the product, checked by axe-core against WCAG 2.0/2.1 A and AA in Chromium: signed out,
 * signed in as an admin, the sign-in error pages, the no-access page, a person's page, provisioning.
 * A page that regresses fails the suite.
 */
test.describe("accessibility (axe-core, WCAG 2.1 AA)", () => {
  test("signed out: the start page, the signed-out page and the sign-in error pages", async ({ page }) => {
    await page.goto("/");
    await expectAccessible(page, "the start page");
    await page.goto("/signed-out");
    await expectAccessible(page, "the signed-out page");
    for (const [code, connection] of [
      ["too_many_groups", "acme"],
      ["wrong_region_callback", "globex"],
      ["user_not_assigned", "acme"],
      ["invalid_client", "wonka"],
      ["deprovisioned", "acme-scim"],
    ] as const) {
      await page.goto(`/auth/error?code=${code}&connection=${connection}&ref=a11y-${code}`);
      await expect(page.getByText("Sign-in failed")).toBeVisible();
      await expectAccessible(page, `the ${code} error page`);
    }
  });

  test("signed in as an admin: every console page", async ({ page }) => {
    await new Porter(page).signInAs("admin@example.com");
    await expectAccessible(page, "the profile");
    const pages = [
      "/services",
      "/admin/rules",
      "/admin/users",
      "/admin/audit",
      "/admin/connection",
      "/admin/okta",
      "/admin/provisioning",
    ];
    for (const path of pages) {
      await page.goto(path);
      await expectAccessible(page, path);
    }
    await page.goto("/services");
    await page.getByRole("table").getByRole("link").first().click();
    await expect(page).toHaveURL(/\/services\/[0-9a-f-]{36}$/);
    await expectAccessible(page, "a service");
    await page.goto("/admin/users?q=admin%40");
    await page.getByRole("table", { name: "People" }).getByRole("link", { name: "admin@example.com" }).click();
    await expect(page).toHaveURL(/\/admin\/users\/[0-9a-f-]{36}$/);
    await expectAccessible(page, "a person's page");
    // The configuration check with its streamed results.
    await page.goto("/admin/okta");
    await page.getByRole("button", { name: "Run the check" }).click();
    await expect(page.getByRole("list", { name: "Check results" }).getByRole("listitem").first()).toBeVisible();
    await expectAccessible(page, "the configuration check's results");
  });

  test("a person with no access, and a missing groups claim, say so accessibly", async ({ browser }) => {
    const nogroups = await (await browser.newContext()).newPage();
    await new Porter(nogroups).signInAs("nogroups@example.com");
    await nogroups.goto("/services");
    await expect(nogroups.getByRole("heading", { level: 1 })).toBeVisible();
    await expectAccessible(nogroups, "the no-access page");
    await nogroups.close();
    const hooli: Page = await (await browser.newContext()).newPage();
    await new Porter(hooli).signInAs("admin@example.com", "hooli");
    await expectAccessible(hooli, "the profile without a groups claim");
    await hooli.close();
  });

  test("the pages of provisioning and Shared Signals, with their data", async ({ browser }) => {
    const scim = await (await browser.newContext()).newPage();
    await new Porter(scim).signInAs("admin@example.com", "acme-scim");
    await scim.goto("/admin/provisioning");
    await expectAccessible(scim, "acme-scim's provisioning page");
    await scim.goto("/admin/users?status=provisioned");
    await expectAccessible(scim, "the users page with provisioned people");
    await scim.close();
    const initech = await (await browser.newContext()).newPage();
    await new Porter(initech).signInAs("admin@example.com", "initech");
    await initech.goto("/admin/connection");
    await expect(initech.getByRole("heading", { name: "Shared Signals (CAEP)" })).toBeVisible();
    await expectAccessible(initech, "initech's connection page with its stream");
    await initech.close();
  });
});
