import { RbacError, type RbacErrorCode } from "./errors";
import { ADMIN_ROLE, type Permission } from "./permissions";
import {
  checkCustomRole,
  checkKeepsAdmin,
  checkMatcher,
  describeRule,
  roleExists,
  type CustomRole,
  type RuleMatch,
} from "./rule-set";

/** The rules of an organization as the console edits them. A rule without id is new. */
export interface RulesState {
  readonly rules: readonly {
    readonly id: string | null;
    readonly match: RuleMatch;
    readonly pattern: string;
    readonly role: string;
  }[];
  readonly customRoles: readonly CustomRole[];
  readonly defaultRole: string | null;
  /** The groups filter set in the console (RE2, whole name), or null for the connection's configured one. */
  readonly groupsFilter: { readonly allow: string; readonly block: string | null } | null;
}

/** Every change an admin can make to the rules, one at a time or (import) all at once. */
export type RuleChange =
  | { kind: "add_rule"; match: RuleMatch; pattern: string; role: string }
  | { kind: "edit_rule"; id: string; match: RuleMatch; pattern: string; role: string }
  | { kind: "delete_rule"; id: string }
  | { kind: "add_role"; name: string; description: string; permissions: readonly string[] }
  | { kind: "delete_role"; name: string }
  | { kind: "set_default_role"; role: string | null }
  /** null: back to the connection's configured filter. */
  | { kind: "set_groups_filter"; filter: { allow: string; block: string | null } | null }
  | { kind: "replace_all"; state: RulesState; source: string };

export interface PlannedChange {
  readonly next: RulesState;
  /** The change in words, for the audit log and the confirmation. */
  readonly summary: string;
}

const refuse = (code: RbacErrorCode, text: string) => new RbacError({ code, message: text, userMessage: text });

const ruleText = (r: { match: RuleMatch; pattern: string; role: string }) => `${describeRule(r)} -> ${r.role}`;

/**
 * Applies a change to the rules in memory, with every check the console makes (matcher syntax, known
 * roles, duplicates, lockout, roles in use, admin never the default). Pure: the preview and the save run
 * exactly this, so what was previewed is what is saved.
 */
export function planChange(current: RulesState, change: RuleChange): PlannedChange {
  switch (change.kind) {
    case "add_rule": {
      checkRule(change, current.customRoles);
      if (current.rules.some((r) => sameRule(r, change)))
        throw refuse("rule_exists", `The rule ${ruleText(change)} already exists.`);
      return {
        next: {
          ...current,
          rules: [...current.rules, { id: null, match: change.match, pattern: change.pattern, role: change.role }],
        },
        summary: `added rule: ${ruleText(change)}`,
      };
    }
    case "edit_rule": {
      const before = current.rules.find((r) => r.id === change.id);
      if (!before) throw refuse("not_found", "That rule does not exist (it may have been deleted already).");
      checkRule(change, current.customRoles);
      if (current.rules.some((r) => r.id !== change.id && sameRule(r, change)))
        throw refuse("rule_exists", `The rule ${ruleText(change)} already exists.`);
      if (sameRule(before, change)) throw refuse("no_change", "Nothing to change: the rule is already like this.");
      const rules = current.rules.map((r) =>
        r.id === change.id ? { id: r.id, match: change.match, pattern: change.pattern, role: change.role } : r,
      );
      keepsAdmin(rules);
      return { next: { ...current, rules }, summary: `edited rule: ${ruleText(before)} became ${ruleText(change)}` };
    }
    case "delete_rule": {
      const rule = current.rules.find((r) => r.id === change.id);
      if (!rule) throw refuse("not_found", "That rule does not exist (it may have been deleted already).");
      const rules = current.rules.filter((r) => r.id !== change.id);
      if (rule.role === ADMIN_ROLE) keepsAdmin(rules);
      return { next: { ...current, rules }, summary: `deleted rule: ${ruleText(rule)}` };
    }
    case "add_role": {
      const check = checkCustomRole(change, current.customRoles);
      if (!check.ok) throw refuse("invalid_role", check.reason);
      const role: CustomRole = {
        name: change.name,
        description: change.description,
        permissions: change.permissions as Permission[],
      };
      return {
        next: { ...current, customRoles: [...current.customRoles, role] },
        summary: `added role ${change.name}: ${change.permissions.join(", ")}`,
      };
    }
    case "delete_role": {
      if (!current.customRoles.some((r) => r.name === change.name))
        throw refuse("not_found", `There is no custom role named "${change.name}".`);
      const users = current.rules.filter((r) => r.role === change.name);
      if (users.length > 0)
        throw refuse(
          "role_in_use",
          `Role "${change.name}" is used by ${String(users.length)} rule(s); delete those rules first.`,
        );
      if (current.defaultRole === change.name)
        throw refuse("role_in_use", `Role "${change.name}" is the default role; choose another default first.`);
      return {
        next: { ...current, customRoles: current.customRoles.filter((r) => r.name !== change.name) },
        summary: `deleted role ${change.name}`,
      };
    }
    case "set_default_role": {
      checkDefaultRole(change.role, current.customRoles);
      if (change.role === current.defaultRole)
        throw refuse("no_change", `The default role is already ${change.role ?? "none"}.`);
      return {
        next: { ...current, defaultRole: change.role },
        summary: `default role set to ${change.role ?? "none"}`,
      };
    }
    case "set_groups_filter": {
      if (change.filter) {
        for (const [which, pattern] of [
          ["allow", change.filter.allow],
          ["block", change.filter.block],
        ] as const) {
          if (pattern === null) continue;
          const check = checkMatcher("regex", pattern);
          if (!check.ok) throw refuse("invalid_rule", `The ${which} pattern: ${check.reason}`);
        }
      }
      const same = JSON.stringify(change.filter) === JSON.stringify(current.groupsFilter);
      if (same) throw refuse("no_change", "Nothing to change: the groups filter is already like this.");
      const words = change.filter
        ? `allow /${change.filter.allow}/${change.filter.block ? `, block /${change.filter.block}/` : ""}`
        : "the connection's configured filter";
      return { next: { ...current, groupsFilter: change.filter }, summary: `groups filter set to ${words}` };
    }
    case "replace_all": {
      const problems = checkState(change.state);
      if (problems.length > 0)
        throw refuse("invalid_seed", `${change.source} is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
      return {
        next: change.state,
        summary: `imported rules from ${change.source}: ${String(change.state.rules.length)} rule(s), ${String(change.state.customRoles.length)} custom role(s), default role ${change.state.defaultRole ?? "none"}`,
      };
    }
  }
}

function sameRule(
  a: { match: RuleMatch; pattern: string; role: string },
  b: { match: RuleMatch; pattern: string; role: string },
): boolean {
  return a.match === b.match && a.pattern === b.pattern && a.role === b.role;
}

function checkRule(rule: { match: RuleMatch; pattern: string; role: string }, roles: readonly CustomRole[]): void {
  const check = checkMatcher(rule.match, rule.pattern);
  if (!check.ok) throw refuse("invalid_rule", check.reason);
  if (!roleExists(rule.role, roles)) throw refuse("unknown_role", `There is no role named "${rule.role}".`);
}

function keepsAdmin(rules: RulesState["rules"]): void {
  const keeps = checkKeepsAdmin(rules);
  if (!keeps.ok) throw refuse("lockout", keeps.reason);
}

function checkDefaultRole(role: string | null, roles: readonly CustomRole[]): void {
  if (role === ADMIN_ROLE)
    throw refuse("invalid_role", "admin cannot be the default role: everyone who signs in would be an admin.");
  if (role !== null && !roleExists(role, roles)) throw refuse("unknown_role", `There is no role named "${role}".`);
}

/** Every problem of a whole rule set (an import), each with where it is; empty when it is usable. */
export function checkState(state: RulesState): string[] {
  const problems: string[] = [];
  const roles: CustomRole[] = [];
  state.customRoles.forEach((role, i) => {
    const check = checkCustomRole(role, roles);
    if (!check.ok) problems.push(`roles[${String(i)}] (${role.name}): ${check.reason}`);
    else roles.push(role);
  });
  const seen = new Set<string>();
  state.rules.forEach((rule, i) => {
    const check = checkMatcher(rule.match, rule.pattern);
    if (!check.ok) problems.push(`rules[${String(i)}] (${rule.pattern.slice(0, 80)}): ${check.reason}`);
    if (!roleExists(rule.role, roles))
      problems.push(`rules[${String(i)}]: role "${rule.role}" is neither built in nor defined under roles`);
    const key = `${rule.match}\u0000${rule.pattern}\u0000${rule.role}`;
    if (seen.has(key)) problems.push(`rules[${String(i)}]: duplicate of an earlier rule (${ruleText(rule)})`);
    seen.add(key);
  });
  const keeps = checkKeepsAdmin(state.rules);
  if (!keeps.ok) problems.push(`rules: ${keeps.reason}`);
  if (state.groupsFilter) {
    for (const [which, pattern] of [
      ["allow", state.groupsFilter.allow],
      ["block", state.groupsFilter.block],
    ] as const) {
      if (pattern === null) continue;
      const check = checkMatcher("regex", pattern);
      if (!check.ok) problems.push(`groupsFilter.${which}: ${check.reason}`);
    }
  }
  if (state.defaultRole === ADMIN_ROLE)
    problems.push("defaultRole: admin cannot be the default role (everyone would be admin)");
  else if (state.defaultRole !== null && !roleExists(state.defaultRole, roles))
    problems.push(`defaultRole: role "${state.defaultRole}" does not exist`);
  return problems;
}
