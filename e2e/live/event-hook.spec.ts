import { randomUUID } from "node:crypto";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { Porter } from "../pages/porter";
import { IDP_URL } from "../pages/env";

const HOOK = "/api/okta/acme/event-hook";
const SECRET = "devidp-demo-hook-secret-change-me";
const ONCALL = "00u1oncall000000008";
/** devidp's management API (an Okta super admin's API token). */
const ADMIN = { authorization: "SSWS devidp-demo-admin-token" };

async function groupId(request: APIRequestContext, name: string): Promise<string> {
  const res = await request.get(`${IDP_URL}/api/v1/groups?q=${encodeURIComponent(name)}`, { headers: ADMIN });
  const [group] = (await res.json()) as { id: string }[];
  if (!group) throw new Error(`no group ${name} in devidp`);
  return group.id;
}

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

    // A delivery with the right secret is a notification, not a grant: porter asks Okta for oncall's groups,
    // which do not hold PAM, and changes nothing (review finding 1: a leaked secret cannot make an admin).
    const forged = await request.post(HOOK, {
      data: delivery("group.user_membership.add", "PAM Linux Sysadmins"),
      headers: { authorization: SECRET },
    });
    expect(forged.status()).toBe(204);
    expect(await forged.text()).toBe("");
    const admin = await page.context().browser()?.newContext();
    const adminPage = await admin?.newPage();
    if (!adminPage) throw new Error("no browser");
    await new Porter(adminPage).signInAs("admin@example.com");
    const forgedRow = adminPage
      .getByRole("row")
      .filter({ hasText: "oncall@example.com" })
      .filter({ hasText: "group.user_membership.add" });
    await expect(async () => {
      await adminPage.goto("/admin/connection");
      await expect(forgedRow.first()).toContainText(
        "Okta's Users API does not show this change to PAM Linux Sysadmins",
      );
    }).toPass({ timeout: 10_000 });
    expect(await roles()).toEqual(["viewer"]);

    // Okta itself adds oncall to PAM (its own Event Hook delivery follows): sre, without a new sign-in.
    const pam = await groupId(request, "PAM Linux Sysadmins");
    expect((await request.put(`${IDP_URL}/api/v1/groups/${pam}/users/${ONCALL}`, { headers: ADMIN })).status()).toBe(
      204,
    );
    await expect.poll(roles, { timeout: 5_000 }).toEqual(["viewer", "sre"]);
    await page.goto("/services");
    await expect(page.getByText("You can edit every service.")).toBeVisible();

    // Okta removes it: sre goes.
    expect((await request.delete(`${IDP_URL}/api/v1/groups/${pam}/users/${ONCALL}`, { headers: ADMIN })).status()).toBe(
      204,
    );
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

    await adminPage.goto("/admin/audit?q=oncall%40example.com&type=roles.changed");
    const log = adminPage.getByRole("table", { name: "Audit events" });
    await expect(log).toContainText(/lost sre: Okta removed PAM Linux Sysadmins, event [0-9a-f-]{36}/);
    await admin?.close();
  });

  test("forged calls spend neither acme's Okta budget nor Okta's address: a real delivery after 80 forgeries is accepted (review finding 2)", async ({
    request,
  }) => {
    // From one address, as Okta's senders share cloud addresses with anyone.
    const from = { "x-forwarded-for": "198.51.100.200" };
    const refused = new Set<number>();
    for (let i = 0; i < 80; i++) {
      const res = await request.post(HOOK, {
        data: delivery("user.account.lock", null),
        headers: { authorization: `forged-${String(i)}`, ...from },
      });
      refused.add(res.status());
    }
    expect([...refused].every((status) => status === 401 || status === 429)).toBe(true);
    const real = await request.post(HOOK, {
      data: delivery("user.account.lock", null),
      headers: { authorization: SECRET, ...from },
    });
    expect(real.status()).toBe(204);
  });
});
