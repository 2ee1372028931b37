import { describe, expect, it } from "vitest";
import type { Connection } from "../../config";
import { provisioningCheck } from "./provisioning";
import type { CheckContext, ProvisioningSnapshot } from "./types";

const ctx = (connection: Partial<Connection>, provisioning: ProvisioningSnapshot | null) =>
  ({
    connection: { name: "acme-scim", groupsSource: "scim", requireProvisioning: true, ...connection },
    urls: { home: "https://porter.eu.example.com" },
    provisioning,
  }) as unknown as CheckContext;
const seen = (over: Partial<ProvisioningSnapshot> = {}): ProvisioningSnapshot => ({
  validTokens: 1,
  lastRequestAt: new Date(),
  provisioned: 8,
  pushedGroups: 5,
  ...over,
});

describe("the provisioning check", () => {
  it("passes when a valid token was used recently and groups are pushed", async () => {
    expect((await provisioningCheck(ctx({}, seen()))).status).toBe("pass");
  });
  it("fails without a valid token, naming the base URL to paste", async () => {
    const r = await provisioningCheck(ctx({}, seen({ validTokens: 0 })));
    expect(r).toMatchObject({ status: "fail", value: "https://porter.eu.example.com/scim/v2/acme-scim" });
    expect(r.fix).toContain("Provisioning > Integration");
  });
  it("fails when Okta never called, and warns when it has been quiet for over a week", async () => {
    expect((await provisioningCheck(ctx({}, seen({ lastRequestAt: null })))).status).toBe("fail");
    expect(
      (await provisioningCheck(ctx({}, seen({ lastRequestAt: new Date(Date.now() - 9 * 86_400_000) })))).status,
    ).toBe("warn");
  });
  it("warns when the groups source disagrees with what Okta pushes", async () => {
    expect((await provisioningCheck(ctx({}, seen({ pushedGroups: 0 })))).message).toContain("pushes no group");
    const claim = await provisioningCheck(ctx({ groupsSource: "claim", requireProvisioning: false }, seen()));
    expect(claim).toMatchObject({ status: "warn" });
    expect(claim.fix).toContain("groupsSource: scim");
  });
  it("is skipped for an organization that does not use provisioning", async () => {
    const none = seen({ validTokens: 0, provisioned: 0, pushedGroups: 0, lastRequestAt: null });
    expect((await provisioningCheck(ctx({ groupsSource: "claim", requireProvisioning: false }, none))).status).toBe(
      "skipped",
    );
  });
});
