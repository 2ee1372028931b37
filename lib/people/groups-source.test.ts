import { describe, expect, it } from "vitest";
import { resetOktaApiBackoff } from "../okta";
import { compileRuleSet } from "../rbac";
import { readSignInGroups } from "./groups-source";

const ruleSet = compileRuleSet({
  version: 1,
  rules: [{ id: "r1", match: "regex", pattern: "bulk-1.*", role: "member" }],
  customRoles: [],
  defaultRole: null,
  adminGroups: [],
});
const names = (n: number) => Array.from({ length: n }, (_, i) => `bulk-${String(i).padStart(3, "0")}`);
const connection = {
  issuer: "https://acme.okta.com/oauth2/default",
  oktaApiToken: "t",
  oktaServiceApp: undefined,
  groupsSource: "claim" as const,
};

/** Okta's Users API with 150 groups in pages of 40; or a status for every call. */
function okta(status = 200) {
  let calls = 0;
  const fetchImpl: typeof fetch = (input) => {
    calls++;
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (status !== 200) return Promise.resolve(new Response("{}", { status }));
    const after = Number(url.searchParams.get("after") ?? "0");
    const page = names(150).slice(after, after + 40);
    const next = after + 40 < 150 ? `<${url.origin}${url.pathname}?after=${String(after + 40)}>; rel="next"` : "";
    return Promise.resolve(
      Response.json(
        page.map((name) => ({ id: name, profile: { name } })),
        { headers: next ? { link: next } : {} },
      ),
    );
  };
  return { fetchImpl, calls: () => calls };
}

describe("a signing-in person's groups: the claim, or the Users API when the claim cannot be the whole list", () => {
  it("a claim of 99 is trusted as is; no Okta call", async () => {
    const api = okta();
    const read = await readSignInGroups(connection, ruleSet, "00u1", names(99), api.fetchImpl);
    expect(read).toMatchObject({ source: "id_token", usersApiProblem: null });
    expect(api.calls()).toBe(0);
  });

  it("exactly 100 (Okta's cap) or no claim at all: all 150 from the Users API, not flagged as truncated", async () => {
    resetOktaApiBackoff();
    for (const claim of [names(100), undefined]) {
      const read = await readSignInGroups(connection, ruleSet, "00u1", claim, okta().fetchImpl);
      expect(read.source).toBe("users_api");
      expect(read.mapping.keptGroups).toHaveLength(150);
      expect(read.mapping.possiblyTruncated).toBe(false);
      expect(read.mapping.roles.map((r) => r.role)).toEqual(["member"]);
    }
  });

  it("keeps the claim and Okta's reason when Okta refuses (403) or fails (500)", async () => {
    resetOktaApiBackoff();
    const refused = await readSignInGroups(connection, ruleSet, "00u1", names(100), okta(403).fetchImpl);
    expect(refused).toMatchObject({
      source: "id_token",
      usersApiProblem: expect.stringContaining("okta.users.read") as string,
    });
    expect(refused.mapping.possiblyTruncated).toBe(true);
    const failed = await readSignInGroups(connection, ruleSet, "00u1", names(100), okta(500).fetchImpl);
    expect(failed.usersApiProblem).toContain("HTTP 500");
  });

  it("keeps the claim without calling Okta when the connection has no credential", async () => {
    const none = await readSignInGroups(
      { ...connection, oktaApiToken: undefined },
      ruleSet,
      "00u1",
      names(100),
      okta().fetchImpl,
    );
    expect(none).toMatchObject({ source: "id_token", usersApiProblem: null });
  });
});

describe("groupsSource users-api", () => {
  it("reads the Users API at every sign-in, even when the claim looks whole", async () => {
    const api = okta();
    const read = await readSignInGroups(
      { ...connection, groupsSource: "users-api" },
      ruleSet,
      "00u1",
      names(3),
      api.fetchImpl,
    );
    expect(read.source).toBe("users_api");
    expect(api.calls()).toBeGreaterThan(0);
  });
});
