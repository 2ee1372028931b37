import { describe, expect, it } from "vitest";
import { compileRegex } from "./compile-regex";
import { compileGroupsFilter, filterGroups } from "./filter-groups";
import { MAX_GROUP_ENTRIES, readGroupsClaim } from "./read-groups-claim";

describe("readGroupsClaim survives hostile shapes", () => {
  it.each([
    [undefined, "missing"],
    [null, "missing"],
    ["Port Admins", "not_an_array"],
    [{ 0: "a" }, "not_an_array"],
  ])("%j gives no groups and says why", (value, problem) => {
    expect(readGroupsClaim(value)).toMatchObject({ groups: [], problems: [problem] });
  });

  it("drops non-string items and names over 255 characters, keeps order and removes duplicates", () => {
    const claim = readGroupsClaim(["a", 1, null, { x: 1 }, "b", "a", "x".repeat(1_000_000), ""]);
    expect(claim.groups).toEqual(["a", "b"]);
    expect(claim.problems.sort()).toEqual(["names_too_long", "non_string_items"]);
    expect(claim.rawCount).toBe(8);
  });

  it("bounds a claim of 10,000+ entries", () => {
    const claim = readGroupsClaim(Array.from({ length: MAX_GROUP_ENTRIES + 5 }, (_, i) => `g${String(i)}`));
    expect(claim.groups).toHaveLength(MAX_GROUP_ENTRIES);
    expect(claim.problems).toContain("too_many_entries");
  });

  it("flags exactly 100 groups as possibly truncated (Okta's cap), not 99", () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `g${String(i)}`);
    expect(readGroupsClaim(names(100)).possiblyTruncated).toBe(true);
    expect(readGroupsClaim(names(99)).possiblyTruncated).toBe(false);
  });
});

describe("RE2 group filters", () => {
  it("match whole names like Okta's Matches regex", () => {
    const filter = compileGroupsFilter({ allow: "team-.*|Port Admins", block: "team-legacy-.*" });
    expect(filterGroups(["team-a", "xteam-a", "Port Admins", "Port Admins 2", "team-legacy-x"], filter)).toEqual([
      "team-a",
      "Port Admins",
    ]);
  });

  it("refuse look-ahead and back-references with a reason", () => {
    expect(compileRegex("(?=a)b")).toMatchObject({ ok: false, reason: expect.stringMatching(/look-ahead/) as string });
    expect(compileRegex("(?<!a)b")).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/look-behind/) as string,
    });
    expect(compileRegex("(a)\\1")).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/back-references/) as string,
    });
    expect(compileRegex("(a")).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/missing closing \)/) as string,
    });
  });

  it("run (a+)+$ against a 50,000-character name (no catastrophic backtracking)", () => {
    const result = compileRegex("(a+)+$");
    if (!result.ok) throw new Error(result.reason);
    expect(result.regex.matches(`${"a".repeat(50_000)}b`)).toBe(false);
    expect(result.regex.matches("a".repeat(50_000))).toBe(true);
  });
});
