import { describe, expect, it } from "vitest";
import { parseRulesDocument } from "./rules-document";

const good = `
defaultRole: null
roles:
  - name: sre
    permissions: [services.read, audit.read]
rules:
  - { match: exact, pattern: Port Admins, role: admin }
  - { match: regex, pattern: "team-.*", role: member }
  - { match: exact, pattern: PAM Linux Sysadmins, role: sre }
`;

const problems = (text: string) => {
  try {
    parseRulesDocument(text, "rules.yaml");
  } catch (err) {
    return (err as Error).message;
  }
  return "no problem";
};

describe("rules as code documents", () => {
  it("reads YAML and JSON alike", () => {
    const state = parseRulesDocument(good, "rules.yaml");
    expect(state.rules.map((r) => r.pattern)).toEqual(["Port Admins", "team-.*", "PAM Linux Sysadmins"]);
    expect(
      parseRulesDocument(
        JSON.stringify({ rules: [{ match: "exact", pattern: "Port Admins", role: "admin" }] }),
        "rules.json",
      ).rules,
    ).toHaveLength(1);
  });

  it("refuses unknown fields, wrong types, duplicates, non-RE2 patterns and invalid YAML, naming the field and line", () => {
    expect(problems(`${good}colour: blue\n`)).toMatch(/document.*unknown field\(s\) colour/);
    expect(problems(good.replace("role: member }", "role: member, weight: 3 }"))).toMatch(
      /rules\[1\] \(line 8\).*unknown field\(s\) weight/,
    );
    expect(problems(good.replace("match: regex", "match: glob"))).toMatch(/rules\[1\]\.match \(line 8\)/);
    expect(problems(good.replace("permissions: [services.read, audit.read]", "permissions: services.read"))).toMatch(
      /roles\[0\]\.permissions \(line 5\)/,
    );
    expect(problems(`${good}  - { match: exact, pattern: Port Admins, role: admin }\n`)).toMatch(
      /rules\[3\] \(line 10\): duplicate of an earlier rule/,
    );
    expect(problems(good.replace('"team-.*"', '"(?=team)x"'))).toMatch(/rules\[1\] \(line 8\).*look-ahead/);
    expect(problems(good.replace('"team-.*"', `"${"a".repeat(10_000)}"`))).toMatch(
      /rules\[1\].*at most 1000 characters/,
    );
    expect(problems("rules: [ { match: exact\n")).toMatch(/rules.yaml is invalid:\n  - .*line/);
    expect(problems(`rules:\n${"  - { match: exact, pattern: g, role: admin }\n".repeat(100_000)}`)).toMatch(
      /larger than 1024 KB|more than 5000 rules/,
    );
    expect(problems("rules: []\n")).toMatch(/no rule granting admin/);
  });
});
