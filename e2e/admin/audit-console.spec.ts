import { expect, test } from "@playwright/test";
import { Porter } from "../pages/porter";
import { clientAddressFor } from "../pages/env";

/**
 * The audit console end to end (issue "Admins audit group-to-role mappings"): a failed sign-in found by
 * the reference on its error page, a rule change previewed and saved, the person's role history, the
 * exports, and every admin URL refused to a viewer.
 */
test.describe("audit console", () => {
  test("an admin finds a failed sign-in by the reference shown on its error page, and exports the log", async ({
    page,
    browser,
  }) => {
    // A forged callback from an address of its own (so no other test's refusals share its minute).
    const stranger = await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": "198.51.100.23" } });
    const strangerPage = await stranger.newPage();
    await strangerPage.goto("/api/auth/callback/acme?code=forged&state=forged");
    await expect(strangerPage.getByRole("heading", { level: 1 })).toHaveText(
      "This sign-in link has expired or was already used",
    );
    const ref = (await strangerPage.getByText(/reference [0-9a-f-]{36}/).textContent())?.match(/[0-9a-f-]{36}/)?.[0];
    expect(ref).toBeTruthy();
    await stranger.close();

    await new Porter(page).signInAs("admin@example.com");
    await page.goto("/admin/audit");
    await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
    await expect(page.getByRole("figure", { name: "Sign-ins and failures" })).toBeVisible();
    await page.getByLabel("Search (reference id, email, target)").fill(ref ?? "");
    await page.getByRole("button", { name: "Filter" }).click();
    const rows = page.getByRole("table", { name: "Audit events" }).getByRole("row");
    await expect(rows).toHaveCount(2); // header + the one event
    await expect(rows.nth(1)).toContainText("sign_in.failed");
    await expect(rows.nth(1)).toContainText("bad state");
    await expect(rows.nth(1)).toContainText(clientAddressFor("198.51.100.23"));

    const csv = await page.request.get(`/admin/audit/export?format=csv&q=${ref ?? ""}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()["content-type"]).toContain("text/csv");
    const lines = (await csv.text()).trim().split("\n");
    expect(lines[0]).toBe(
      "id,at,type,outcome,actor,actor_sub,connection,target,target_label,reason,ip,user_agent,count,refs,details,hash",
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(ref);

    const ndjson = await page.request.get("/admin/audit/export?format=ndjson&type=sign_in.succeeded");
    expect(ndjson.headers()["content-type"]).toContain("application/x-ndjson");
    const events = (await ndjson.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { id: number; at: string; type: string; actor: string; details: unknown });
    expect(events.length).toBeGreaterThan(0);
    expect(
      events.every((e) => e.type === "sign_in.succeeded" && typeof e.id === "number" && e.at && "details" in e),
    ).toBe(true);
    expect(events.some((e) => e.actor === "admin@example.com")).toBe(true);

    expect((await page.request.get("/admin/audit/export?format=xml")).status()).toBe(400);
    expect((await page.request.get("/admin/audit/export?since=not-a-date")).status()).toBe(400);
    await page.getByRole("button", { name: "Verify the chain" }).click();
    await expect(page.getByRole("status")).toContainText("The chain holds");
  });

  test("an admin previews a rule change, sees who loses what, saves it, and sees the person's role history", async ({
    page,
    browser,
  }) => {
    // dev signs in to initech first, so porter knows them and their groups there.
    const devContext = await browser.newContext();
    const devPage = await devContext.newPage();
    await new Porter(devPage).signInAs("dev@example.com", "initech");
    await expect(devPage.getByRole("list", { name: "Roles" })).toContainText("member");

    await new Porter(page).signInAs("admin@example.com", "initech");
    await page.goto("/admin/rules");
    const row = page.getByRole("row").filter({ hasText: "group matches /team-.*/" });
    await row.getByText("Edit").click();
    const edit = row.getByRole("form", { name: "Edit rule group matches /team-.*/ -> member" });
    await edit.getByLabel("Group name or pattern").fill("team-platform-.*");
    await edit.getByRole("button", { name: "Preview" }).click();
    const preview = row.getByRole("region", { name: /^Preview: Edit rule/ });
    await expect(preview).toContainText("became group matches /team-platform-.*/ -> member");
    await expect(preview.getByRole("heading", { name: "Would lose" })).toBeVisible();
    await expect(preview).toContainText("member: dev@example.com");
    const confirmation = preview.getByLabel(/to confirm/);
    if (await confirmation.isVisible()) await confirmation.fill("initech");
    await preview.getByRole("button", { name: "Save this change" }).click();
    await expect(row.getByRole("status").or(page.getByRole("status")).first()).toContainText("Saved: edited rule");

    // dev's next sign-in: member is gone, and the history says why.
    await devPage.goto("/profile");
    const dev = new Porter(devPage);
    await dev.signOut();
    await dev.signInAs("dev@example.com", "initech");
    await expect(devPage.getByRole("list", { name: "Roles" })).not.toContainText("member");
    await devContext.close();

    await page.goto("/admin/audit?type=rules.changed");
    await expect(page.getByRole("table", { name: "Audit events" })).toContainText("admin@example.com");
    await page.goto("/admin/users?q=dev%40example.com");
    await page.getByRole("link", { name: "dev@example.com" }).click();
    const history = page.getByRole("list", { name: "Role history" });
    await expect(history).toContainText("lost member");
    await expect(history).toContainText("rules changed: edited rule");
    await expect(page.getByRole("figure", { name: "From groups to permissions" })).toBeVisible();

    const review = await page.request.get("/admin/users/export");
    expect(review.headers()["content-type"]).toContain("text/csv");
    expect(await review.text()).toMatch(
      /^email,name,okta_sub,status,provisioned,role,via_group,via_rule,last_sign_in\n/,
    );

    // An admin of another organization (acme) finds neither this person nor their events.
    const devUrl = new URL(page.url());
    const devId = devUrl.pathname.split("/").at(-1) ?? "";
    const other = await browser.newContext();
    const acme = await other.newPage();
    await new Porter(acme).signInAs("admin@example.com");
    expect((await acme.request.get(devUrl.pathname)).status()).toBe(404);
    const theirs = await acme.request.get(`/admin/audit/export?format=ndjson&q=${devId}`);
    expect(await theirs.text()).toBe("");
    await acme.goto(`/admin/audit?q=${devId}`);
    await expect(acme.getByText("No events match.")).toBeVisible();
    await other.close();
  });

  test("a viewer gets 403 on every admin URL, export and server action, and the refusals are audited", async ({
    page,
  }) => {
    await new Porter(page).signInAs("viewer@example.com");
    for (const path of [
      "/admin/rules",
      "/admin/users",
      "/admin/audit",
      "/admin/connection",
      "/admin/okta",
      "/admin/audit/export?format=csv",
      "/admin/users/export",
    ]) {
      const res = await page.request.get(path, { maxRedirects: 0 });
      expect(res.status(), path).toBe(403);
    }
    await page.goto("/admin/audit");
    await expect(page.getByRole("heading", { name: "You cannot open this page" })).toBeVisible();
    await expect(page.getByText("audit.read")).toBeVisible();
  });

  test("an admin ends all of a person's sessions: their next request is refused, and the log says who did it", async ({
    page,
    browser,
  }) => {
    const other = await browser.newContext();
    const viewerPage = await other.newPage();
    // A person no other test signs in as (tests run in parallel).
    await new Porter(viewerPage).signInAs("contractor@example.com");
    expect((await viewerPage.request.get("/api/me")).status()).toBe(200);

    await new Porter(page).signInAs("admin@example.com");
    await page.goto("/admin/users?q=contractor%40");
    await page.getByRole("table", { name: "People" }).getByRole("link", { name: "contractor@example.com" }).click();
    const end = page.getByRole("form", { name: "End all sessions" });
    await end.getByRole("button", { name: "End all sessions" }).click();
    await expect(end.getByRole("status")).toContainText("Ended");
    expect((await viewerPage.request.get("/api/me")).status()).toBe(401);
    await other.close();

    await page.goto("/admin/audit?type=session.revoked");
    await expect(page.getByRole("table", { name: "Audit events" })).toContainText("contractor@example.com");
    await expect(page.getByRole("table", { name: "Audit events" })).toContainText("ended by an admin");
  });
});
