import { compileRegex, type CompiledRegex } from "./compile-regex";
import { compileGroupsFilter, type GroupsFilter } from "./filter-groups";
import { groupEntryProblem, MAX_GROUP_ENTRIES, type GroupsClaimProblem } from "./read-groups-claim";
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

export interface ClaimMapping extends Resolution {
  /** Distinct, well-formed names the filter kept, in claim order. */
  readonly keptGroups: readonly string[];
  readonly problems: readonly GroupsClaimProblem[];
}

export interface CompiledRuleSet {
  readonly version: number;
  /** The organization's groups filter (allow / block), compiled once with the rules. */
  readonly filter: GroupsFilter;
  /** Roles for a clean list of group names (a person's teams). */
  resolve(groups: readonly string[]): Resolution;
  /**
   * One pass over a raw groups claim: drops malformed entries, duplicates and what the filter refuses,
   * and resolves the rest. One memo lookup per entry, no intermediate arrays.
   */
  resolveClaim(items: readonly unknown[], filter: GroupsFilter): ClaimMapping;
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
  for (const role of spec.customRoles)
    rolePermissions.set(
      role.name,
      role.permissions.filter((p) => p !== "rules.write"),
    );

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
  if (spec.defaultRole !== null && defaultRole === null)
    problems.push(`default role "${spec.defaultRole}" does not exist`);

  // Roles in display order (admin, member, viewer, then custom by name); each gets an index and a
  // permission bitmask, so resolving a person allocates little: an array slot per role, a cached list per mask.
  const roleNames = [...rolePermissions.keys()].sort((a, b) => roleOrder(a) - roleOrder(b) || a.localeCompare(b));
  const roleIndex = new Map(roleNames.map((r, i) => [r, i]));
  const roleMask = roleNames.map((r) =>
    (rolePermissions.get(r) ?? []).reduce((m, p) => m | (1 << PERMISSIONS.indexOf(p)), 0),
  );
  const permissionLists = new Map<number, readonly Permission[]>();
  const permissionsForMask = (mask: number): readonly Permission[] => {
    let list = permissionLists.get(mask);
    if (!list) {
      list = Object.freeze(PERMISSIONS.filter((_, i) => (mask & (1 << i)) !== 0));
      permissionLists.set(mask, list);
    }
    return list;
  };

  // Per group name: the roles it grants, each with its provenance entry built once (shared, frozen), the
  // filter's verdict for the last filter seen, and a stamp that spots duplicates within one claim.
  interface GroupEntry {
    hits: readonly { role: number; via: Via }[] | null;
    filter: GroupsFilter | null;
    kept: boolean;
    stamp: number;
  }
  const memo = new Map<string, GroupEntry>();
  let currentStamp = 0;
  const entryFor = (group: string): GroupEntry => {
    let entry = memo.get(group);
    if (!entry) {
      entry = { hits: null, filter: null, kept: false, stamp: 0 };
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(group, entry);
    }
    return entry;
  };
  const hitsOf = (group: string, entry: GroupEntry): readonly { role: number; via: Via }[] => {
    if (entry.hits) return entry.hits;
    const hits: Hit[] = [];
    if (adminGroups.has(group)) hits.push({ role: ADMIN_ROLE, rule: BREAK_GLASS, ruleId: "break-glass" });
    const exactHits = exact.get(group);
    if (exactHits) hits.push(...exactHits);
    for (const { regex, hit } of regexes) if (regex.matches(group)) hits.push(hit);
    entry.hits = Object.freeze(
      hits.map((h) =>
        Object.freeze({
          role: roleIndex.get(h.role) ?? 0,
          via: Object.freeze({ group, rule: h.rule, ruleId: h.ruleId }),
        }),
      ),
    );
    return entry.hits;
  };

  const permissionsOf = (roles: readonly string[]): Permission[] => {
    let mask = 0;
    for (const role of roles) {
      const i = roleIndex.get(role);
      if (i !== undefined) mask |= roleMask[i] ?? 0;
    }
    return [...permissionsForMask(mask)];
  };
  const defaultVia: readonly Via[] = Object.freeze([
    Object.freeze({ group: null, rule: "default role (no rule matched)", ruleId: "default" }),
  ]);

  return {
    version: spec.version,
    filter: spec.groupsFilter ? compileGroupsFilter(spec.groupsFilter) : KEEP_ALL,
    problems,
    grantingMatchers: [
      ...spec.adminGroups.map((g) => ({ match: "break-glass" as const, pattern: g, role: ADMIN_ROLE })),
      // A rule that repeats a break-glass group adds nothing a reader needs to see twice.
      ...usable
        .filter((r) => !(r.match === "exact" && r.role === ADMIN_ROLE && adminGroups.has(r.pattern)))
        .map((r) => ({ match: r.match, pattern: r.pattern, role: r.role })),
    ],
    permissionsOf,
    resolve(groups) {
      return resolveClaim(groups, KEEP_ALL);
    },
    resolveClaim,
  };

  function resolveClaim(items: readonly unknown[], filter: GroupsFilter): ClaimMapping {
    const stamp = ++currentStamp;
    const keptGroups: string[] = [];
    let problems: GroupsClaimProblem[] | null = null;
    if (items.length > MAX_GROUP_ENTRIES) problems = addProblem(problems, "too_many_entries");
    const vias: (Via[] | undefined)[] = new Array<Via[] | undefined>(roleNames.length);
    let found = false;
    const end = Math.min(items.length, MAX_GROUP_ENTRIES);
    for (let i = 0; i < end; i++) {
      const problem = groupEntryProblem(items[i]);
      if (problem) {
        problems = addProblem(problems, problem);
        continue;
      }
      const group = items[i] as string; // groupEntryProblem accepted it: a usable name
      const entry = entryFor(group);
      if (entry.stamp === stamp) continue; // a duplicate within this claim
      entry.stamp = stamp;
      if (entry.filter !== filter) {
        entry.kept = filter.keep(group);
        entry.filter = filter;
      }
      if (!entry.kept) continue;
      keptGroups.push(group);
      const hits = hitsOf(group, entry);
      for (let h = 0; h < hits.length; h++) {
        const hit = hits[h];
        if (!hit) continue;
        const list = vias[hit.role];
        if (list) list.push(hit.via);
        else vias[hit.role] = [hit.via];
        found = true;
      }
    }
    const claimProblems: readonly GroupsClaimProblem[] = problems ?? NO_PROBLEMS;
    if (!found) {
      if (defaultRole === null)
        return {
          keptGroups,
          problems: claimProblems,
          roles: [],
          permissions: permissionsForMask(0),
          defaultRoleApplied: false,
        };
      const i = roleIndex.get(defaultRole) ?? 0;
      return {
        keptGroups,
        problems: claimProblems,
        roles: [{ role: defaultRole, via: defaultVia }],
        permissions: permissionsForMask(roleMask[i] ?? 0),
        defaultRoleApplied: true,
      };
    }
    const roles: RoleGrant[] = [];
    let mask = 0;
    for (let i = 0; i < vias.length; i++) {
      const via = vias[i];
      if (via) {
        roles.push({ role: roleNames[i] ?? "", via });
        mask |= roleMask[i] ?? 0;
      }
    }
    return {
      keptGroups,
      problems: claimProblems,
      roles,
      permissions: permissionsForMask(mask),
      defaultRoleApplied: false,
    };
  }
}

const KEEP_ALL: GroupsFilter = { keep: () => true };

function addProblem(problems: GroupsClaimProblem[] | null, problem: GroupsClaimProblem): GroupsClaimProblem[] {
  const list = problems ?? [];
  if (!list.includes(problem)) list.push(problem);
  return list;
}
const NO_PROBLEMS: readonly GroupsClaimProblem[] = Object.freeze([]);

function roleOrder(role: string): number {
  const i = ["admin", "member", "viewer"].indexOf(role);
  return i === -1 ? 3 : i;
}
