import { expect, test } from "@playwright/test";
import { IDP_PORT } from "../../playwright.config";
import { Porter } from "../pages/porter";

/*
 * Okta's Shared Signals (devidp plays Okta's transmitter): initech registered its stream at start; an
 * Okta session that ends reaches porter as a CAEP session-revoked SET, without any Event Hook or
 * Universal Logout call. Runs after the main project: it clears a person's sessions in devidp.
 */
const IDP = `http://localhost:${String(IDP_PORT)}`;
const ADMIN = { authorization: "SSWS devidp-demo-admin-token" };
const VIEWER = "00u1viewer000000003";

test("clearing a person's Okta sessions ends their initech session through Shared Signals alone", async ({
  page,
  request,
}) => {
  await new Porter(page).signInAs("admin@example.com", "initech");
  // The stream porter registered at start, verified.
  await expect(async () => {
    await page.goto("/admin/connection");
    const section = page
      .getByRole("definition")
      .filter({ hasText: /enabled/ })
      .first();
    await expect(section).toBeVisible({ timeout: 1000 });
    await expect(page.getByText(/Last verification/).locator("xpath=following-sibling::dd[1]")).not.toHaveText(
      "never",
      { timeout: 1000 },
    );
  }).toPass({ timeout: 20_000 });
  const streams = (await (await request.get(`${IDP}/api/v1/ssf/stream`, { headers: ADMIN })).json()) as {
    delivery: { endpoint_url: string };
    status: string;
  }[];
  expect(
    streams.some(
      (s) => s.delivery.endpoint_url.endsWith("/api/okta/initech/security-events") && s.status === "enabled",
    ),
  ).toBe(true);

  const viewer = await (await page.context().browser()?.newContext())?.newPage();
  if (!viewer) throw new Error("no second browser context");
  await new Porter(viewer).signInAs("viewer@example.com", "initech");
  expect((await viewer.request.get("/api/me")).status()).toBe(200);
  // "Clear user sessions", apps not included: no Universal Logout call; initech has no Event Hook.
  const cleared = await request.delete(`${IDP}/api/v1/users/${VIEWER}/sessions`, { headers: ADMIN });
  expect(cleared.status()).toBeLessThan(300);
  await expect.poll(async () => (await viewer.request.get("/api/me")).status(), { timeout: 10_000 }).toBe(401);
  const deliveries = (await (await request.get(`${IDP}/api/v1/ssf/deliveries`, { headers: ADMIN })).json()) as {
    eventType: string;
    status: number;
  }[];
  expect(deliveries.some((d) => d.eventType.endsWith("session-revoked") && d.status === 202)).toBe(true);
  // The admin sees why on the audit page.
  await page.goto("/admin/audit?type=session.revoked");
  await expect(page.getByRole("table", { name: "Audit events" })).toContainText("shared_signal");
  await viewer.context().close();
});

test("the receiver refuses pushes without the stream's header, and to an organization that has no stream (401)", async ({
  request,
}) => {
  const url = "/api/okta/initech/security-events";
  expect(
    (await request.post(url, { headers: { "content-type": "application/secevent+jwt" }, data: "a.b.c" })).status(),
  ).toBe(401);
  expect(
    (
      await request.post(url, {
        headers: { "content-type": "application/secevent+jwt", authorization: "Bearer wrong" },
        data: "a.b.c",
      })
    ).status(),
  ).toBe(401);
  // Another organization has no stream: nobody can push to it.
  expect(
    (
      await request.post("/api/okta/acme/security-events", { headers: { authorization: "Bearer x" }, data: "a.b.c" })
    ).status(),
  ).toBe(401);
});
