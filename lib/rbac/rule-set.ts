import { compileRegex } from "./compile-regex";
import { MAX_GROUP_NAME_LENGTH } from "./read-groups-claim";
import { ADMIN_ROLE, CUSTOM_ROLE_GRANTABLE, isBuiltInRole, isPermission, type Permission } from "./permissions";

export const RULE_MATCHES = ["exact", "regex"] as const;
export type RuleMatch = (typeof RULE_MATCHES)[number];

/** group matcher -> role. `exact` compares case-sensitively, like Okta group names; `regex` is RE2, whole-name. */
export interface MappingRule {
  readonly id: string;
  readonly match: RuleMatch;
  readonly pattern: string;
  readonly role: string;
}

export interface CustomRole {
  readonly name: string;
  readonly description: string;
  readonly permissions: readonly Permission[];
}

/** Everything that decides roles for one organization, at one version. */
export interface RuleSetSpec {
  /** Bumped on every change; compiled rule sets are cached per version. */
  readonly version: number;
  readonly rules: readonly MappingRule[];
  readonly customRoles: readonly CustomRole[];
  /** Role for a person no rule matches, or null: then they get the no-access page. */
  readonly defaultRole: string | null;
  /** Break-glass: these groups always grant admin, whatever the rules say. */
  readonly adminGroups: readonly string[];
  /** porter's own filter on the groups a source sends (RE2, whole name); all groups when absent. */
  readonly groupsFilter?: { readonly allow: string; readonly block?: string | undefined };
}

export type Check = { ok: true } | { ok: false; reason: string };

export const MAX_REGEX_LENGTH = 1000;
export const CUSTOM_ROLE_NAME = /^[a-z][a-z0-9-]{1,39}$/;

/** Refuses a matcher that could never work, with a reason (and for regexes the 1-based position). */
export function checkMatcher(match: RuleMatch, pattern: string): Check {
  if (pattern.length === 0) return { ok: false, reason: "The group name or pattern is empty." };
  if (match === "exact") {
    if (pattern.length > MAX_GROUP_NAME_LENGTH)
      return { ok: false, reason: `Okta group names have at most ${String(MAX_GROUP_NAME_LENGTH)} characters.` };
    if (pattern.trim() !== pattern)
      return {
        ok: false,
        reason: "The group name starts or ends with a space; Okta compares names exactly, so it would never match.",
      };
    return { ok: true };
  }
  if (pattern.length > MAX_REGEX_LENGTH)
    return { ok: false, reason: `A pattern has at most ${String(MAX_REGEX_LENGTH)} characters.` };
  const result = compileRegex(pattern);
  if (result.ok) return { ok: true };
  const at =
    result.position === undefined
      ? ""
      : result.position > pattern.length
        ? " (at the end)"
        : ` (at character ${String(result.position)})`;
  return { ok: false, reason: `Invalid regular expression${at}: ${result.reason}.` };
}

export function roleExists(role: string, customRoles: readonly CustomRole[]): boolean {
  return isBuiltInRole(role) || customRoles.some((r) => r.name === role);
}

export function checkCustomRole(
  role: { name: string; permissions: readonly string[] },
  existing: readonly CustomRole[],
): Check {
  if (!CUSTOM_ROLE_NAME.test(role.name)) {
    return {
      ok: false,
      reason:
        'A role name is 2 to 40 characters: lowercase letters, digits and "-", starting with a letter (e.g. "release-manager").',
    };
  }
  if (isBuiltInRole(role.name)) return { ok: false, reason: `"${role.name}" is a built-in role.` };
  if (existing.some((r) => r.name === role.name))
    return { ok: false, reason: `A role named "${role.name}" already exists.` };
  if (role.permissions.length === 0) return { ok: false, reason: "Choose at least one permission." };
  for (const p of role.permissions) {
    if (!isPermission(p)) return { ok: false, reason: `"${p}" is not a permission.` };
    if (!CUSTOM_ROLE_GRANTABLE.includes(p))
      return {
        ok: false,
        reason: `"${p}" belongs to the built-in admin role only: a custom role with it could grant itself admin.`,
      };
  }
  return { ok: true };
}

/**
 * Lockout guard: the rules must keep at least one way to become admin (break-glass groups are set in the
 * environment, outside the console, and do not count: an admin must not be able to remove the last rule).
 */
export function checkKeepsAdmin(rules: readonly Pick<MappingRule, "role">[]): Check {
  if (rules.some((r) => r.role === ADMIN_ROLE)) return { ok: true };
  return {
    ok: false,
    reason:
      "This would leave no rule granting admin, and nobody could change the rules again. Add another admin rule first.",
  };
}

/** How a rule reads in provenance and in the console. */
export function describeRule(rule: Pick<MappingRule, "match" | "pattern">): string {
  return rule.match === "exact" ? `group is "${rule.pattern}"` : `group matches /${rule.pattern}/`;
}
