import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { Porter } from "../pages/porter";
import { IDP_URL } from "../pages/env";

const HOOK = "/api/okta/acme/event-hook";
const SECRET = "devidp-demo-hook-secret-change-me";
const ONCALL = "00u1oncall000000008";

const delivery = (eventType: string, group: string | null) => ({
  eventType: "com.okta.event_hook",
  eventTypeVersion: "1.0",
  cloudEventsVersion: "0.1",
  source: `${IDP_URL}/api/v1/eventHooks/who1`,
  eventId: randomUUID(),
  eventTime: new Date().toISOString(),
  contentType: "application/json",
  data: {
    events: [
      {
        uuid: randomUUID(),
        published: new Date().toISOString(),
        eventType,
        version: "0",
        actor: { id: "00u1admin0000000001", type: "User", alternateId: "admin@example.com" },
        target: [
          { id: ONCALL, type: "User", alternateId: "oncall@example.com" },
          ...(group ? [{ id: "00g1pam", type: "UserGroup", displayName: group }] : []),
        ],
      },
    ],
  },
});

test.describe("Okta Event Hook (live group state)", () => {
  test("roles follow Okta without a new sign-in: a group granted then removed, the log says why, a deactivation ends the session", async ({
    page,
    request,
  }) => {
    await new Porter(page).signInAs("oncall@example.com");
    const roles = async () =>
      ((await (await page.request.get("/api/me")).json()) as { roles: { role: string }[] }).roles.map((r) => r.role);
    expect(await roles()).toEqual(["viewer"]);

    // Okta's one-time verification.
    const verify = await request.get(HOOK, { headers: { "x-okta-verification-challenge": "challenge-123" } });
    expect(await verify.json()).toEqual({ verification: "challenge-123" });
    expect((await request.get(HOOK)).status()).toBe(400);

    // Refused deliveries change nothing.
    expect(
      (await request.post(HOOK, { data: delivery("group.user_membership.add", "PAM Linux Sysadmins") })).status(),
    ).toBe(401);
    expect(
      (
        await request.post(HOOK, {
          data: delivery("group.user_membership.add", "PAM Linux Sysadmins"),
          headers: { authorization: "wrong" },
        })
      ).status(),
    ).toBe(401);
    expect(
      (
        await request.post(HOOK, { data: "{", headers: { authorization: SECRET, "content-type": "application/json" } })
      ).status(),
    ).toBe(400);
    expect(await roles()).toEqual(["viewer"]);

    const grant = await request.post(HOOK, {
      data: delivery("group.user_membership.add", "PAM Linux Sysadmins"),
      headers: { authorization: SECRET },
    });
    expect(grant.status()).toBe(204);
    expect(await grant.text()).toBe("");
    await expect.poll(roles, { timeout: 5_000 }).toEqual(["viewer", "sre"]);
    await page.goto("/services");
    await expect(page.getByText("You can edit every service.")).toBeVisible();

    const removal = delivery("group.user_membership.remove", "PAM Linux Sysadmins");
    expect((await request.post(HOOK, { data: removal, headers: { authorization: SECRET } })).status()).toBe(204);
    await expect.poll(roles, { timeout: 5_000 }).toEqual(["viewer"]);
    await page.goto("/services");
    await expect(page.getByText("You can read the catalog")).toBeVisible();

    // Okta deactivates the person: their porter session ends.
    expect(
      (
        await request.post(HOOK, {
          data: delivery("user.lifecycle.deactivate", null),
          headers: { authorization: SECRET },
        })
      ).status(),
    ).toBe(204);
    await expect.poll(async () => (await page.request.get("/api/me")).status(), { timeout: 5_000 }).toBe(401);

    const admin = await page.context().browser()?.newContext();
    const adminPage = await admin?.newPage();
    if (!adminPage) throw new Error("no browser");
    await new Porter(adminPage).signInAs("admin@example.com");
    await adminPage.goto("/admin/audit?q=oncall%40example.com&type=roles.changed");
    const log = adminPage.getByRole("table", { name: "Audit events" });
    await expect(log).toContainText(
      `lost sre: Okta removed PAM Linux Sysadmins, event ${removal.data.events[0]?.uuid ?? ""}`,
    );
    await admin?.close();
  });
});
