import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { customRoles, mappingRules, organizations } from "../db/schema";
import {
  ADMIN_ROLE,
  checkCustomRole,
  checkKeepsAdmin,
  checkMatcher,
  compileRuleSet,
  describeRule,
  RbacError,
  roleExists,
  type Permission,
  type RuleMatch,
} from "../rbac";
import { bumpRulesVersion, getOrganizationRules, listUsersWithTeams, lockOrganization, replaceStoredRoles, toRuleSetSpec, type Queryable } from "./queries";
import { forgetRuleSet } from "./rule-sets";

export interface Actor {
  organizationId: string;
  /** Who did it, for "changed by" and the audit log. */
  name: string;
  adminGroups: readonly string[];
}

/** Who gained or lost which role because of a change. */
export interface RoleChange {
  userId: string;
  user: string;
  gained: string[];
  lost: string[];
}

export interface ChangeResult {
  version: number;
  summary: string;
  affected: RoleChange[];
}

const invalid = (code: "invalid_rule" | "unknown_role" | "invalid_role" | "role_in_use" | "lockout" | "not_found", status: number, text: string) =>
  new RbacError({ code, status, message: text, userMessage: text });

/** Runs one change under the organization's lock, bumps the version and re-resolves every user's roles. */
async function change(db: Db, actor: Actor, summary: string, apply: (tx: Queryable) => Promise<void>): Promise<ChangeResult> {
  const result = await db.transaction(async (tx) => {
    await lockOrganization(tx, actor.organizationId);
    await apply(tx);
    const version = await bumpRulesVersion(tx, actor.organizationId, actor.name);
    const ruleSet = compileRuleSet(toRuleSetSpec(await getOrganizationRules(tx, actor.organizationId), actor.adminGroups));
    const affected: RoleChange[] = [];
    for (const user of await listUsersWithTeams(tx, actor.organizationId)) {
      const { gained, lost } = await replaceStoredRoles(tx, actor.organizationId, user.id, ruleSet.resolve(user.teams).roles, version);
      if (gained.length > 0 || lost.length > 0) affected.push({ userId: user.id, user: user.email ?? user.sub, gained, lost });
    }
    return { version, summary, affected };
  });
  forgetRuleSet(actor.organizationId);
  return result;
}

export async function addRule(db: Db, actor: Actor, input: { match: RuleMatch; pattern: string; role: string }): Promise<ChangeResult> {
  const check = checkMatcher(input.match, input.pattern);
  if (!check.ok) throw invalid("invalid_rule", 400, check.reason);
  return change(db, actor, `added rule: ${describeRule(input)} -> ${input.role}`, async (tx) => {
    const current = await getOrganizationRules(tx, actor.organizationId);
    if (!roleExists(input.role, current.customRoles)) throw invalid("unknown_role", 400, `There is no role named "${input.role}".`);
    if (current.rules.some((r) => r.match === input.match && r.pattern === input.pattern && r.role === input.role)) {
      throw invalid("invalid_rule", 409, `The rule ${describeRule(input)} -> ${input.role} already exists.`);
    }
    await tx.insert(mappingRules).values({ organizationId: actor.organizationId, match: input.match, pattern: input.pattern, role: input.role, createdBy: actor.name });
  });
}

export async function deleteRule(db: Db, actor: Actor, ruleId: string): Promise<ChangeResult> {
  let summary = "";
  const result = await change(db, actor, "", async (tx) => {
    const current = await getOrganizationRules(tx, actor.organizationId);
    // Scoped to the actor's organization: another organization's rule id is simply not found.
    const rule = current.rules.find((r) => r.id === ruleId);
    if (!rule) throw invalid("not_found", 404, "That rule does not exist (it may have been deleted already).");
    const remaining = current.rules.filter((r) => r.id !== ruleId);
    if (rule.role === ADMIN_ROLE) {
      const keeps = checkKeepsAdmin(remaining);
      if (!keeps.ok) throw invalid("lockout", 409, keeps.reason);
    }
    summary = `deleted rule: ${describeRule(rule)} -> ${rule.role}`;
    await tx.delete(mappingRules).where(and(eq(mappingRules.id, ruleId), eq(mappingRules.organizationId, actor.organizationId)));
  });
  return { ...result, summary };
}

export async function addCustomRole(db: Db, actor: Actor, input: { name: string; description: string; permissions: string[] }): Promise<ChangeResult> {
  return change(db, actor, `added role ${input.name}: ${input.permissions.join(", ")}`, async (tx) => {
    const current = await getOrganizationRules(tx, actor.organizationId);
    const check = checkCustomRole(input, current.customRoles);
    if (!check.ok) throw invalid("invalid_role", 400, check.reason);
    await tx.insert(customRoles).values({
      organizationId: actor.organizationId,
      name: input.name,
      description: input.description,
      permissions: input.permissions as Permission[],
      createdBy: actor.name,
    });
  });
}

export async function deleteCustomRole(db: Db, actor: Actor, name: string): Promise<ChangeResult> {
  return change(db, actor, `deleted role ${name}`, async (tx) => {
    const current = await getOrganizationRules(tx, actor.organizationId);
    if (!current.customRoles.some((r) => r.name === name)) throw invalid("not_found", 404, `There is no custom role named "${name}".`);
    const users = current.rules.filter((r) => r.role === name);
    if (users.length > 0) throw invalid("role_in_use", 409, `Role "${name}" is used by ${String(users.length)} rule(s); delete those rules first.`);
    if (current.defaultRole === name) throw invalid("role_in_use", 409, `Role "${name}" is the default role; choose another default first.`);
    await tx.delete(customRoles).where(and(eq(customRoles.organizationId, actor.organizationId), eq(customRoles.name, name)));
  });
}

export async function setDefaultRole(db: Db, actor: Actor, role: string | null): Promise<ChangeResult> {
  if (role === ADMIN_ROLE) throw invalid("invalid_role", 400, "admin cannot be the default role: everyone who signs in would be an admin.");
  return change(db, actor, `default role set to ${role ?? "none"}`, async (tx) => {
    const current = await getOrganizationRules(tx, actor.organizationId);
    if (role !== null && !roleExists(role, current.customRoles)) throw invalid("unknown_role", 400, `There is no role named "${role}".`);
    await tx.update(organizations).set({ defaultRole: role }).where(eq(organizations.id, actor.organizationId));
  });
}
