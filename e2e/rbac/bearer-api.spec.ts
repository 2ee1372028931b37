import { expect, test, type APIRequestContext } from "@playwright/test";
import { serviceAccessToken, userAccessToken } from "../pages/okta-tokens";

interface Service {
  id: string;
  name: string;
  ownerTeam: string;
  description: string;
}

test.describe("bearer API with devidp-issued Okta access tokens", () => {
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  async function servicesWith(request: APIRequestContext, token: string): Promise<Service[]> {
    const res = await request.get("/api/v1/services", { headers: auth(token) });
    expect(res.status()).toBe(200);
    return ((await res.json()) as { services: Service[] }).services;
  }

  test("dev@example.com's token edits a team-payments service but not another team's", async ({ request }) => {
    const token = await userAccessToken(request, "dev@example.com");
    const me = await request.get("/api/v1/me", { headers: auth(token) });
    expect(await me.json()).toMatchObject({
      subject: "dev@example.com",
      kind: "user",
      permissions: ["services.read", "services.write"],
    });

    const services = await servicesWith(request, token);
    const payments = services.find((s) => s.name === "ledger");
    const search = services.find((s) => s.name === "search-indexer");
    if (!payments || !search) throw new Error("demo services are seeded");

    const ok = await request.patch(`/api/v1/services/${payments.id}`, {
      headers: auth(token),
      data: { lifecycle: "deprecated" },
    });
    expect(ok.status()).toBe(200);
    expect(await ok.json()).toMatchObject({
      service: { name: "ledger", lifecycle: "deprecated", updatedBy: "dev@example.com" },
    });

    const refused = await request.patch(`/api/v1/services/${search.id}`, {
      headers: auth(token),
      data: { description: "mine" },
    });
    expect(refused.status()).toBe(403);
    expect(await refused.json()).toMatchObject({
      error: { code: "forbidden", message: expect.stringContaining("services.write_any") },
    });
  });

  test("viewer@example.com's token reads but cannot write; nogroups@example.com's token reads nothing", async ({
    request,
    playwright,
  }) => {
    const viewer = await userAccessToken(request, "viewer@example.com");
    const [first] = await servicesWith(request, viewer);
    const patch = await request.patch(`/api/v1/services/${first?.id ?? ""}`, {
      headers: auth(viewer),
      data: { description: "x" },
    });
    expect(patch.status()).toBe(403);
    expect(((await patch.json()) as { error: { message: string } }).error.message).toContain("services.write");

    // A fresh cookie jar: devidp would otherwise reuse the viewer's Okta session (single sign-on).
    const fresh = await playwright.request.newContext();
    const nobody = await userAccessToken(fresh, "nogroups@example.com");
    await fresh.dispose();
    const res = await request.get("/api/v1/services", { headers: auth(nobody) });
    expect(res.status()).toBe(403);
    expect(await res.json()).toMatchObject({
      error: { code: "forbidden", message: expect.stringContaining("services.read") },
    });
  });

  test("a service token (client credentials) acts through its groups", async ({ request }) => {
    const token = await serviceAccessToken(request);
    expect(await (await request.get("/api/v1/me", { headers: auth(token) })).json()).toMatchObject({
      kind: "service",
      subject: "client porter-ci",
      groups: ["team-payments"],
    });
    const services = await servicesWith(request, token);
    expect(services.length).toBeGreaterThan(0);
  });

  test("bad tokens get 401 with WWW-Authenticate saying why", async ({ request }) => {
    const token = await serviceAccessToken(request, "porter.read");
    const [head, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as Record<string, unknown>;
    const forged = `${head ?? ""}.${Buffer.from(JSON.stringify({ ...claims, groups: ["Port Admins"] })).toString("base64url")}.${signature ?? ""}`;
    const none = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${payload ?? ""}.`;
    for (const [bad, reason] of [
      [forged, "signature does not verify"],
      [none, "RS256"],
      ["garbage", "not a JWT"],
    ] as const) {
      const res = await request.get("/api/v1/services", { headers: auth(bad) });
      expect(res.status()).toBe(401);
      expect(res.headers()["www-authenticate"]).toMatch(
        new RegExp(`^Bearer error="invalid_token", error_description="[^"]*${reason}`),
      );
    }
    const noHeader = await request.get("/api/v1/services");
    expect(noHeader.status()).toBe(401);
  });

  test("a token without the route's scope gets 403 insufficient_scope", async ({ request }) => {
    const token = await serviceAccessToken(request, "porter.read");
    const readOnly = await request.patch("/api/v1/services/00000000-0000-0000-0000-000000000000", {
      headers: auth(token),
      data: { description: "x" },
    });
    expect(readOnly.status()).toBe(403);
    expect(readOnly.headers()["www-authenticate"]).toContain('error="insufficient_scope"');
  });

  test("malformed bodies and ids get a 4xx that says what to send", async ({ request }) => {
    const token = await serviceAccessToken(request);
    const [first] = await servicesWith(request, token);
    const url = `/api/v1/services/${first?.id ?? ""}`;
    const cases: [Parameters<typeof request.patch>[1], number, string][] = [
      [
        { headers: { ...auth(token), "content-type": "application/json" }, data: Buffer.from("{not json") },
        400,
        "not valid JSON",
      ],
      [{ headers: auth(token), data: { lifecycle: "immortal" } }, 400, "lifecycle"],
      [{ headers: auth(token), data: {} }, 400, "at least one"],
      [{ headers: auth(token), data: { description: "x".repeat(600) } }, 400, "500"],
      [{ headers: { ...auth(token), "content-type": "text/plain" }, data: Buffer.from("x") }, 415, "JSON"],
    ];
    for (const [options, status, text] of cases) {
      const res = await request.patch(url, options);
      expect(res.status(), text).toBe(status);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(text);
    }
    expect(
      (
        await request.patch("/api/v1/services/not-a-uuid", { headers: auth(token), data: { description: "x" } })
      ).status(),
    ).toBe(404);
  });
});
