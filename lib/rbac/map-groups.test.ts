import { describe, expect, it } from "vitest";
import { compileRuleSet } from "./compile-rule-set";
import { compileGroupsFilter } from "./filter-groups";
import { mapGroups } from "./map-groups";
import { checkCustomRole, checkKeepsAdmin, checkMatcher, type RuleSetSpec } from "./rule-set";
import { missingPermissionToEditService } from "./service-access";

const spec: RuleSetSpec = {
  version: 1,
  rules: [
    { id: "r1", match: "exact", pattern: "Port Admins", role: "admin" },
    { id: "r2", match: "regex", pattern: "team-.*", role: "member" },
    { id: "r3", match: "exact", pattern: "Everyone", role: "viewer" },
    { id: "r4", match: "exact", pattern: "Release Managers", role: "release-manager" },
  ],
  customRoles: [{ name: "release-manager", description: "", permissions: ["services.read", "services.write_any"] }],
  defaultRole: null,
  adminGroups: ["Break Glass"],
};
const all = compileGroupsFilter({ allow: ".*" });

describe("mapGroups", () => {
  it("gives the union of every matching rule, each role with its provenance", () => {
    const result = mapGroups(["Engineering", "team-payments", "Everyone"], all, compileRuleSet(spec));
    expect(result.keptGroups).toEqual(["Engineering", "team-payments", "Everyone"]);
    expect(result.roles).toEqual([
      { role: "member", via: [{ group: "team-payments", rule: "group matches /team-.*/", ruleId: "r2" }] },
      { role: "viewer", via: [{ group: "Everyone", rule: 'group is "Everyone"', ruleId: "r3" }] },
    ]);
    expect(result.permissions).toEqual(["services.read", "services.write"]);
  });

  it("compares exact names case-sensitively, like Okta", () => {
    expect(mapGroups(["port admins", "everyone"], all, compileRuleSet(spec)).roles).toEqual([]);
  });

  it("lets ADMIN_GROUPS grant admin whatever the rules say", () => {
    const result = mapGroups(["Break Glass"], all, compileRuleSet({ ...spec, rules: [] }));
    expect(result.roles).toEqual([
      { role: "admin", via: [{ group: "Break Glass", rule: "ADMIN_GROUPS (break-glass)", ruleId: "break-glass" }] },
    ]);
    expect(result.permissions).toContain("rules.write");
  });

  it("applies the app-side filter before the rules", () => {
    const filter = compileGroupsFilter({ allow: ".*", block: "team-legacy-.*" });
    const result = mapGroups(["team-legacy-x", "team-a"], filter, compileRuleSet(spec));
    expect(result.keptGroups).toEqual(["team-a"]);
    expect(result.roles[0]?.via).toEqual([{ group: "team-a", rule: "group matches /team-.*/", ruleId: "r2" }]);
  });

  it("gives the default role only when no rule matched, and says so", () => {
    const set = compileRuleSet({ ...spec, defaultRole: "viewer" });
    expect(mapGroups([], all, set)).toMatchObject({
      roles: [{ role: "viewer", via: [{ group: null, ruleId: "default" }] }],
      defaultRoleApplied: true,
    });
    expect(mapGroups(["team-a"], all, set)).toMatchObject({ roles: [{ role: "member" }], defaultRoleApplied: false });
  });

  it("gives no role and no permission without a matching rule or default", () => {
    expect(mapGroups([], all, compileRuleSet(spec))).toMatchObject({ roles: [], permissions: [] });
  });

  it("uses custom roles' permissions, never rules.write", () => {
    const set = compileRuleSet({
      ...spec,
      customRoles: [{ name: "release-manager", description: "", permissions: ["services.write_any", "rules.write"] }],
    });
    expect(mapGroups(["Release Managers"], all, set).permissions).toEqual(["services.write_any"]);
  });

  it("reports a rule whose role no longer exists and grants nothing from it", () => {
    const set = compileRuleSet({ ...spec, customRoles: [] });
    expect(set.problems).toEqual([expect.stringContaining('unknown role "release-manager"')]);
    expect(mapGroups(["Release Managers"], all, set).roles).toEqual([]);
  });

  it.each([
    ["missing", undefined],
    ["null", null],
    ["a string", "Port Admins"],
    ["non-string items", [1, null, { a: 1 }]],
    ["1 MB names", ["x".repeat(1_000_000)]],
  ])("survives a groups claim that is %s: no groups, no roles", (_label, claim) => {
    const result = mapGroups(claim, all, compileRuleSet(spec));
    expect(result).toMatchObject({ keptGroups: [], roles: [], permissions: [] });
    expect(result.claimProblems.length).toBeGreaterThan(0);
  });

  it("survives 10,000 entries", () => {
    const claim = Array.from({ length: 10_000 }, (_, i) => `team-${String(i)}`);
    const result = mapGroups(claim, all, compileRuleSet(spec));
    expect(result.keptGroups).toHaveLength(10_000);
    expect(result.roles[0]?.via).toHaveLength(10_000);
  });

  it("runs (a+)+$ in linear time: a 50,000-character name is refused unread, a 255-character one matches fast", () => {
    const set = compileRuleSet({ ...spec, rules: [{ id: "evil", match: "regex", pattern: "(a+)+$", role: "viewer" }] });
    const huge = mapGroups([`${"a".repeat(50_000)}!`], all, set);
    expect(huge).toMatchObject({ keptGroups: [], roles: [], claimProblems: ["names_too_long"] });
    const start = performance.now();
    expect(set.resolve([`${"a".repeat(254)}!`]).roles).toEqual([]);
    expect(set.resolve(["a".repeat(255)]).roles).toMatchObject([{ role: "viewer" }]);
    // A backtracking engine needs about 2^254 steps for the first name; RE2 needs microseconds.
    expect(performance.now() - start).toBeLessThan(1_000);
  });
});

describe("checks when an admin saves", () => {
  it("refuses an invalid regex with the position and the reason", () => {
    expect(checkMatcher("regex", "team-(a")).toEqual({
      ok: false,
      reason: "Invalid regular expression (at the end): error parsing regexp: missing closing ): `team-(a`.",
    });
    expect(checkMatcher("regex", "team-**")).toEqual({
      ok: false,
      reason:
        "Invalid regular expression (at character 6): error parsing regexp: invalid nested repetition operator: `**`.",
    });
  });

  it("refuses patterns RE2 cannot run, saying why", () => {
    expect(checkMatcher("regex", "team-(?!legacy).*")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("look-ahead") as string,
    });
    expect(checkMatcher("regex", "(a)\\1")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("back-references") as string,
    });
  });

  it("refuses names with stray spaces, which Okta would never send", () => {
    expect(checkMatcher("exact", "Everyone ")).toMatchObject({ ok: false });
    expect(checkMatcher("exact", "Port Admins")).toEqual({ ok: true });
  });

  it("refuses to remove the last admin rule (lockout)", () => {
    expect(checkKeepsAdmin([{ role: "member" }])).toMatchObject({
      ok: false,
      reason: expect.stringContaining("no rule granting admin") as string,
    });
    expect(checkKeepsAdmin([{ role: "admin" }, { role: "member" }])).toEqual({ ok: true });
  });

  it("refuses custom roles that shadow a built-in role or hold rules.write", () => {
    expect(checkCustomRole({ name: "admin", permissions: ["services.read"] }, [])).toMatchObject({ ok: false });
    expect(checkCustomRole({ name: "sneaky", permissions: ["rules.write"] }, [])).toMatchObject({ ok: false });
    expect(checkCustomRole({ name: "auditor", permissions: ["audit.read"] }, [])).toEqual({ ok: true });
  });
});

describe("who may edit a service", () => {
  const member = { permissions: ["services.read", "services.write"] as const, teams: ["team-payments"] };
  it("lets a member edit their own team's service only", () => {
    expect(missingPermissionToEditService(member, "team-payments")).toBeNull();
    expect(missingPermissionToEditService(member, "team-search")).toBe("services.write_any");
  });
  it("keeps the owner team change for services.write_any", () => {
    expect(missingPermissionToEditService(member, "team-payments", { ownerTeam: "team-search" })).toBe(
      "services.write_any",
    );
    expect(
      missingPermissionToEditService({ permissions: ["services.write_any"], teams: [] }, "team-search", {
        ownerTeam: "x",
      }),
    ).toBeNull();
  });
  it("gives a viewer nothing", () => {
    expect(
      missingPermissionToEditService({ permissions: ["services.read"], teams: ["team-payments"] }, "team-payments"),
    ).toBe("services.write");
  });
});
