import { compileGroupsFilter, compileRuleSet, mapGroups, type MappingRule } from "../lib/rbac";
import { line, ratio, summarize, us } from "./stats";

/**
 * 150 groups x 1,000 rules (900 exact, 100 RE2 regexes, 30 of them with a leading `.*`), over 500
 * people drawn from a pool of 3,000 group names. Baseline: a naive loop of RegExp.test / === over every
 * rule for every group (what a first implementation would do per request).
 */
export function benchMapping(): { p99Ms: number } {
  const rules: MappingRule[] = [];
  const roles = ["member", "viewer", "release-manager"];
  for (let i = 0; i < 900; i++)
    rules.push({
      id: `e${String(i)}`,
      match: "exact",
      pattern: `grp-${String(i * 3)}`,
      role: roles[i % 3] ?? "viewer",
    });
  for (let i = 0; i < 70; i++)
    rules.push({ id: `r${String(i)}`, match: "regex", pattern: `team-${String(i)}-[a-z]+`, role: "member" });
  for (let i = 0; i < 30; i++)
    rules.push({
      id: `l${String(i)}`,
      match: "regex",
      pattern: `.*-admins-${String(i)}`,
      role: i === 0 ? "admin" : "viewer",
    });
  const spec = {
    version: 1,
    rules,
    customRoles: [
      {
        name: "release-manager",
        description: "",
        permissions: ["services.read" as const, "services.write_any" as const],
      },
    ],
    defaultRole: null,
    adminGroups: ["Port Admins"],
  };

  const pool: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const kind = i % 4;
    pool.push(
      kind === 0
        ? `grp-${String(i)}`
        : kind === 1
          ? `team-${String(i % 90)}-svc`
          : kind === 2
            ? `dept-${String(i % 40)}-admins-${String(i % 35)}`
            : `unrelated-group-${String(i)}`,
    );
  }
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const people = Array.from({ length: 500 }, () =>
    Array.from({ length: 150 }, () => pool[Math.floor(rand() * pool.length)] ?? "x"),
  );

  const compileStart = performance.now();
  const ruleSet = compileRuleSet(spec);
  const filter = compileGroupsFilter({ allow: ".*" });
  const compileMs = performance.now() - compileStart;

  const coldStart = performance.now();
  for (const groups of people) mapGroups(groups, filter, ruleSet);
  const coldPerPerson = (performance.now() - coldStart) / people.length;

  const engine: number[] = [];
  for (let round = 0; round < 10; round++) {
    for (const groups of people) {
      const t = performance.now();
      mapGroups(groups, filter, ruleSet);
      engine.push(performance.now() - t);
    }
  }

  const naiveRules = rules.map((r) => ({ ...r, re: r.match === "regex" ? new RegExp(`^(?:${r.pattern})$`) : null }));
  const naive = (groups: string[]) => {
    const byRole = new Map<string, { group: string; rule: string }[]>();
    for (const group of groups) {
      for (const r of naiveRules) {
        if (r.re ? r.re.test(group) : r.pattern === group) {
          const list = byRole.get(r.role) ?? [];
          list.push({ group, rule: r.id });
          byRole.set(r.role, list);
        }
      }
    }
    return byRole;
  };
  const baseline: number[] = [];
  for (let round = 0; round < 2; round++) {
    for (const groups of people) {
      const t = performance.now();
      naive(groups);
      baseline.push(performance.now() - t);
    }
  }

  const e = summarize(engine);
  const b = summarize(baseline);
  console.log(
    "\nGroups -> roles mapping: 150 groups x 1,000 rules (900 exact, 100 regex, 30 with a leading .*), 500 people",
  );
  line("compile the rule set (once per version)", `${compileMs.toFixed(1)} ms`);
  line("first mapping of a person (memo cold)", us(coldPerPerson));
  line("porter mapGroups p50", us(e.p50), `baseline naive loop p50 ${us(b.p50)} -> ${ratio(b.p50 / e.p50)} faster`);
  line(
    "porter mapGroups p99",
    us(e.p99),
    `baseline naive loop p99 ${us(b.p99)} -> ${ratio(b.p99 / e.p99)} faster; target <= 50 µs: ${e.p99 * 1000 <= 50 ? "met" : "MISSED"}`,
  );
  return { p99Ms: e.p99 };
}
