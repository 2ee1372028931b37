import { expect, test, type Page } from "@playwright/test";
import { Porter } from "../pages/porter";

async function openService(page: Page, name: string) {
  await page.goto("/services");
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

test.describe("roles from Okta groups, enforced in the console", () => {
  test("dev@example.com edits a team-payments service but not another team's, even with a forged action call", async ({
    page,
  }) => {
    await new Porter(page).signInAs("dev@example.com");
    await page.goto("/services");
    await expect(page.getByText("You can edit the services of your teams: team-payments.")).toBeVisible();
    await expect(page.getByRole("link", { name: "Edit payments-api" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Edit search-indexer" })).toHaveCount(0);

    await openService(page, "payments-api");
    const note = `Card payments, edited ${String(Date.now())}`;
    await page.getByLabel("Description").fill(note);
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("status")).toHaveText("Saved payments-api.");
    await page.reload();
    await expect(page.getByLabel("Description")).toHaveValue(note);
    await expect(page.getByText("by dev@example.com")).toBeVisible();

    await openService(page, "search-indexer");
    await expect(page.getByRole("form")).toHaveCount(0);
    await expect(page.getByRole("note")).toContainText("Read-only for you");

    // Forged call: take the form of a service dev may edit and point its hidden id at another team's service.
    await page.goto("/services");
    const searchId =
      (await page.getByRole("link", { name: "search-indexer", exact: true }).getAttribute("href"))?.split("/").pop() ??
      "";
    await openService(page, "payments-api");
    await page.locator('input[name="id"]').evaluate((el, id) => {
      (el as HTMLInputElement).value = id;
    }, searchId);
    await page.getByLabel("Description").fill("taken over");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("form").getByRole("alert")).toContainText("You need the permission services.write_any");
    await openService(page, "search-indexer");
    await expect(page.getByText("taken over")).toHaveCount(0);

    await page.goto("/admin/rules");
    await expect(page.getByRole("heading", { name: "You cannot open this page" })).toBeVisible();
    await expect(page.getByText("rules.read")).toBeVisible();
  });

  test("viewer@example.com reads the catalog and can edit nothing", async ({ page }) => {
    await new Porter(page).signInAs("viewer@example.com");
    await page.goto("/services");
    await expect(page.getByRole("link", { name: "payments-api", exact: true })).toBeVisible();
    await expect(page.getByRole("link", { name: /^Edit / })).toHaveCount(0);
    await openService(page, "payments-api");
    await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
    const me = (await (await page.request.get("/api/me")).json()) as {
      roles: { role: string }[];
      permissions: string[];
    };
    expect(me.roles.map((r) => r.role)).toEqual(["viewer"]);
    expect(me.permissions).toEqual(["services.read"]);
  });

  test("nogroups@example.com gets the no-access page naming the groups that would grant access", async ({ page }) => {
    await new Porter(page).signInAs("nogroups@example.com");
    for (const path of ["/", "/services"]) {
      await page.goto(path);
      await expect(page.getByRole("heading", { name: "No access yet" })).toBeVisible();
      const list = page.getByRole("list", { name: "Groups that grant access" });
      await expect(list).toContainText("Port Admins");
      await expect(list).toContainText("/team-.*/");
      await expect(list).toContainText("Everyone");
    }
  });

  test("an admin cannot delete the last admin rule, and an invalid regex is refused with its position", async ({
    page,
  }) => {
    await new Porter(page).signInAs("admin@example.com");
    await page.goto("/admin/rules");
    const del = page.getByRole("form", { name: 'Delete rule group is "Port Admins" -> admin' });
    await del.getByRole("button", { name: "Delete" }).click();
    await expect(del.getByRole("alert")).toContainText("no rule granting admin");
    await expect(page.getByRole("cell", { name: 'group is "Port Admins"' }).nth(1)).toBeVisible();

    const add = page.getByRole("form", { name: "Add a rule" });
    await add.getByLabel("Match").selectOption("regex");
    await add.getByLabel("Group name or pattern").fill("team-**");
    await add.getByRole("button", { name: "Preview new rule" }).click();
    await expect(add.getByRole("alert")).toHaveText(
      "Invalid regular expression (at character 6): error parsing regexp: invalid nested repetition operator: `**`.",
    );

    await page.goto("/admin/rules?groups=Engineering,team-data");
    await expect(page.getByRole("status", { name: "What-if result" })).toContainText("member ← team-data");
  });
});
