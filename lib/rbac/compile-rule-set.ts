import { compileRegex, type CompiledRegex } from "./compile-regex";
import { BUILT_IN_ROLE_PERMISSIONS, PERMISSIONS, ADMIN_ROLE, isBuiltInRole, type Permission } from "./permissions";
import { describeRule, type MappingRule, type RuleSetSpec } from "./rule-set";

/** Why a person holds a role: which of their groups matched which rule. */
export interface Via {
  /** The group that matched, or null for the default role. */
  readonly group: string | null;
  /** The rule in words, e.g. `group is "Port Admins"`. */
  readonly rule: string;
  /** The rule's id, "break-glass" for ADMIN_GROUPS, or "default" for the default role. */
  readonly ruleId: string;
}

export interface RoleGrant {
  readonly role: string;
  readonly via: readonly Via[];
}

export interface Resolution {
  readonly roles: readonly RoleGrant[];
  readonly permissions: readonly Permission[];
  /** True when no rule matched and the default role was given. */
  readonly defaultRoleApplied: boolean;
}

export interface CompiledRuleSet {
  readonly version: number;
  resolve(groups: readonly string[]): Resolution;
  permissionsOf(roles: readonly string[]): Permission[];
  /** What would grant access: for the no-access page. */
  readonly grantingMatchers: readonly { match: "exact" | "regex" | "break-glass"; pattern: string; role: string }[];
  /** Stored rules that could not be used (e.g. a role since deleted); they grant nothing. */
  readonly problems: readonly string[];
}

interface Hit {
  readonly role: string;
  readonly rule: string;
  readonly ruleId: string;
}

const BREAK_GLASS = "ADMIN_GROUPS (break-glass)";
/** Bounds the per-group memo so a stream of distinct names cannot grow memory without limit. */
const MEMO_LIMIT = 50_000;

/**
 * Compiles a rule set once per version: exact names go in a map, regexes are precompiled (RE2), and the
 * rules a group name hits are memoised, so resolving a person is a few map lookups.
 */
export function compileRuleSet(spec: RuleSetSpec): CompiledRuleSet {
  const problems: string[] = [];
  const rolePermissions = new Map<string, readonly Permission[]>();
  for (const role of Object.keys(BUILT_IN_ROLE_PERMISSIONS)) {
    if (isBuiltInRole(role)) rolePermissions.set(role, BUILT_IN_ROLE_PERMISSIONS[role]);
  }
  for (const role of spec.customRoles) rolePermissions.set(role.name, role.permissions.filter((p) => p !== "rules.write"));

  const exact = new Map<string, Hit[]>();
  const regexes: { regex: CompiledRegex; hit: Hit }[] = [];
  const usable: MappingRule[] = [];
  for (const rule of spec.rules) {
    if (!rolePermissions.has(rule.role)) {
      problems.push(`rule ${rule.id} (${describeRule(rule)}) grants unknown role "${rule.role}"`);
      continue;
    }
    const hit: Hit = { role: rule.role, rule: describeRule(rule), ruleId: rule.id };
    if (rule.match === "exact") {
      const list = exact.get(rule.pattern);
      if (list) list.push(hit);
      else exact.set(rule.pattern, [hit]);
    } else {
      const compiled = compileRegex(rule.pattern);
      if (!compiled.ok) {
        problems.push(`rule ${rule.id} (${describeRule(rule)}) is not a usable pattern: ${compiled.reason}`);
        continue;
      }
      regexes.push({ regex: compiled.regex, hit });
    }
    usable.push(rule);
  }
  const adminGroups = new Set(spec.adminGroups);
  const defaultRole = spec.defaultRole !== null && rolePermissions.has(spec.defaultRole) ? spec.defaultRole : null;
  if (spec.defaultRole !== null && defaultRole === null) problems.push(`default role "${spec.defaultRole}" does not exist`);

  const memo = new Map<string, readonly Hit[]>();
  const hitsFor = (group: string): readonly Hit[] => {
    const cached = memo.get(group);
    if (cached) return cached;
    const hits: Hit[] = [];
    if (adminGroups.has(group)) hits.push({ role: ADMIN_ROLE, rule: BREAK_GLASS, ruleId: "break-glass" });
    const exactHits = exact.get(group);
    if (exactHits) hits.push(...exactHits);
    for (const { regex, hit } of regexes) if (regex.matches(group)) hits.push(hit);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(group, hits);
    return hits;
  };

  const permissionsOf = (roles: readonly string[]): Permission[] => {
    const held = new Set<Permission>();
    for (const role of roles) for (const p of rolePermissions.get(role) ?? []) held.add(p);
    return PERMISSIONS.filter((p) => held.has(p));
  };

  return {
    version: spec.version,
    problems,
    grantingMatchers: [
      ...spec.adminGroups.map((g) => ({ match: "break-glass" as const, pattern: g, role: ADMIN_ROLE })),
      // A rule that repeats a break-glass group adds nothing a reader needs to see twice.
      ...usable.filter((r) => !(r.match === "exact" && r.role === ADMIN_ROLE && adminGroups.has(r.pattern))).map((r) => ({ match: r.match, pattern: r.pattern, role: r.role })),
    ],
    permissionsOf,
    resolve(groups) {
      const byRole = new Map<string, Via[]>();
      for (const group of groups) {
        for (const hit of hitsFor(group)) {
          const via = byRole.get(hit.role);
          const entry = { group, rule: hit.rule, ruleId: hit.ruleId };
          if (via) via.push(entry);
          else byRole.set(hit.role, [entry]);
        }
      }
      let defaultRoleApplied = false;
      if (byRole.size === 0 && defaultRole !== null) {
        byRole.set(defaultRole, [{ group: null, rule: "default role (no rule matched)", ruleId: "default" }]);
        defaultRoleApplied = true;
      }
      const roles = [...byRole.entries()].sort(([a], [b]) => roleOrder(a) - roleOrder(b) || a.localeCompare(b)).map(([role, via]) => ({ role, via }));
      return { roles, permissions: permissionsOf([...byRole.keys()]), defaultRoleApplied };
    },
  };
}

function roleOrder(role: string): number {
  const i = ["admin", "member", "viewer"].indexOf(role);
  return i === -1 ? 3 : i;
}
