import { createHash } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import { actedBy, appendAuditEvent, auditEvent, type AuditActor } from "../audit";
import type { Db } from "../db/client";
import { customRoles, mappingRules, organizations } from "../db/schema";
import {
  compileRuleSet,
  needsConfirmation,
  planChange,
  previewChange,
  previewRefusal,
  RbacError,
  type ChangePreview,
  type KnownUser,
  type Permission,
  type RoleChange,
  type RuleChange,
  type RulesState,
} from "../rbac";
import {
  bumpRulesVersion,
  getOrganizationRules,
  lockGroupWrites,
  lockOrganization,
  toRuleSetSpec,
  type OrganizationRules,
  type Queryable,
  type RuleDefaults,
} from "../organizations/queries";
import { applyPeopleGroups, listUsersWithTeams } from "../people";
import { forgetRuleSet } from "../organizations/rule-sets";

export type { RoleChange } from "../rbac";

/** Who changes the rules: the audit identity, plus their connection's break-glass groups and configured filter. */
export interface Actor extends AuditActor, RuleDefaults {}

export interface ChangeResult {
  version: number;
  summary: string;
  affected: RoleChange[];
}

export interface RulePreview extends ChangePreview {
  /** The rules version the preview was computed on. */
  version: number;
  summary: string;
  /** Saving with this token applies exactly this preview; a different token means something changed meanwhile. */
  token: string;
  /** Why saving would be refused, or null. */
  refusal: string | null;
  /** What to type to confirm (the organization's name), or null when no confirmation is needed. */
  confirm: string | null;
}

/** A save whose preview no longer holds: the rules (or the people) changed since. Carries the new preview. */
export class StalePreviewError extends RbacError {
  readonly preview: RulePreview;
  constructor(preview: RulePreview) {
    const text =
      "The rules or the people they apply to changed since your preview, so nothing was saved. Here is the preview again, as things are now.";
    super({ code: "stale_preview", message: text, userMessage: text });
    this.preview = preview;
  }
}

export function rulesState(rules: OrganizationRules): RulesState {
  return {
    rules: rules.rules.map((r) => ({ id: r.id, match: r.match, pattern: r.pattern, role: r.role })),
    customRoles: rules.customRoles.map((r) => ({
      name: r.name,
      description: r.description,
      permissions: r.permissions,
    })),
    defaultRole: rules.defaultRole,
    groupsFilter: rules.groupsFilter,
  };
}

function digest(parts: unknown[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64url").slice(0, 32);
}

/** The preview of a change on the current rules and people: the same computation the save repeats under the lock. */
async function computePreview(
  db: Queryable,
  actor: Actor,
  change: RuleChange,
): Promise<{
  preview: RulePreview;
  current: OrganizationRules;
  next: RulesState;
  users: (KnownUser & { sub: string; email: string | null })[];
}> {
  const current = await getOrganizationRules(db, actor.organizationId);
  const planned = planChange(rulesState(current), change);
  const users = (await listUsersWithTeams(db, actor.organizationId, actor.groupsSource ?? "claim")).map((u) => ({
    id: u.id,
    sub: u.sub,
    email: u.email,
    label: u.email ?? u.sub,
    teams: u.teams,
    sourceGroups: u.sourceGroups,
  }));
  const before = compileRuleSet(toRuleSetSpec(current, actor));
  const after = compileRuleSet(
    toRuleSetSpec(
      {
        ...planned.next,
        rules: planned.next.rules.map((r, i) => ({ ...r, id: r.id ?? `new-${String(i)}` })),
        version: current.version + 1,
      },
      actor,
    ),
  );
  const diff = previewChange(users, before, after);
  const token = digest([current.version, change, diff.affected.map((a) => [a.userId, a.gained, a.lost])]);
  return {
    preview: {
      ...diff,
      version: current.version,
      summary: planned.summary,
      token,
      refusal: previewRefusal(diff),
      confirm: needsConfirmation(diff) ? actor.connection : null,
    },
    current,
    next: planned.next,
    users,
  };
}

/** What a change would do to everyone, before it is saved. Refuses (RbacError) a change that could never be saved. */
export async function previewRuleChange(db: Db, actor: Actor, change: RuleChange): Promise<RulePreview> {
  return (await computePreview(db, actor, change)).preview;
}

export interface ApplyOptions {
  /** The preview's token: the save is refused (StalePreviewError) when the preview no longer holds. Omit only where no preview was shown (scripts). */
  token?: string;
  /** The typed confirmation (the organization's name) when the preview asked for one; `true` when the caller confirmed otherwise (CLI --yes). */
  confirmation?: string | true;
}

/**
 * Saves a change under the organization's row lock: the preview is computed again and must match the
 * one shown, the guards hold (admin kept, confirmation typed), the rules are written, the version
 * bumped, every person whose roles change is re-resolved, and the change and each person's new roles
 * are audited in the same transaction: if the audit cannot be written, nothing is saved.
 */
export async function applyRuleChange(
  db: Db,
  actor: Actor,
  change: RuleChange,
  options: ApplyOptions = {},
): Promise<ChangeResult> {
  const result = await db.transaction(async (tx) => {
    // People's group writes wait (a SCIM push cannot write roles from the rules being replaced); the lock
    // comes before the organization's row, which every write of a person's rows references.
    await lockGroupWrites(tx, actor.organizationId, "exclusive");
    await lockOrganization(tx, actor.organizationId);
    const { preview, current, next, users } = await computePreview(tx, actor, change);
    if (options.token !== undefined && options.token !== preview.token) throw new StalePreviewError(preview);
    if (preview.refusal)
      throw new RbacError({
        code: "admin_removed",
        message: preview.refusal,
        userMessage: preview.refusal,
      });
    if (preview.confirm !== null && options.confirmation !== true && options.confirmation !== preview.confirm) {
      const text = `${String(Math.round(preview.losingShare * 100))}% of people would lose a role: type the organization's name (${preview.confirm}) to confirm.`;
      throw new RbacError({ code: "confirmation_required", message: text, userMessage: text });
    }
    const inserted = await persist(tx, actor, current, next);
    const ruleId =
      change.kind === "edit_rule" || change.kind === "delete_rule"
        ? change.id
        : change.kind === "add_rule"
          ? (inserted[0] ?? null)
          : null;
    const version = await bumpRulesVersion(tx, actor.organizationId, actor.actor);
    const ruleSet = compileRuleSet(toRuleSetSpec(await getOrganizationRules(tx, actor.organizationId), actor));
    // The same pipeline as sign-in, through the one writer: the groups last seen (or the teams) through the
    // filter and the rules; teams follow a filter change (people without recorded source groups keep theirs
    // until they next sign in).
    const applied = await applyPeopleGroups(
      tx,
      {
        organizationId: actor.organizationId,
        connection: actor.connection,
        ruleSet,
        cause: "rules_changed",
        confirmed: false,
        pushedGroups: actor.groupsSource === "scim",
        by: actedBy(actor),
      },
      users.map((u) => ({
        person: { id: u.id, sub: u.sub, email: u.email },
        groups: u.sourceGroups ?? { teams: u.teams },
        why: preview.summary,
      })),
    );
    const labels = new Map(users.map((u) => [u.id, u.label]));
    const affected: RoleChange[] = applied
      .filter((a) => a.gained.length > 0 || a.lost.length > 0)
      .map((a) => ({ userId: a.userId, user: labels.get(a.userId) ?? a.userId, gained: a.gained, lost: a.lost }));
    await appendAuditEvent(
      tx,
      auditEvent(
        "rules.changed",
        { change: preview.summary, version, affectedUsers: affected.length, previewedAs: options.token ?? null },
        {
          ...actedBy(actor),
          ...(ruleId ? { target: `rule:${ruleId}`, targetLabel: preview.summary.replace(/^[a-z ]+: /, "") } : {}),
        },
      ),
    );
    return { version, summary: preview.summary, affected };
  });
  forgetRuleSet(actor.organizationId);
  return result;
}

/** Writes the planned rules: deletes what went, updates what changed, inserts what is new (an identical rule keeps its id). */
async function persist(tx: Queryable, actor: Actor, current: OrganizationRules, next: RulesState): Promise<string[]> {
  const organizationId = actor.organizationId;
  const byId = new Map(current.rules.map((r) => [r.id, r]));
  const kept = new Set<string>();
  const inserts: { match: "exact" | "regex"; pattern: string; role: string }[] = [];
  for (const rule of next.rules) {
    const existing = rule.id
      ? byId.get(rule.id)
      : current.rules.find(
          (r) => !kept.has(r.id) && r.match === rule.match && r.pattern === rule.pattern && r.role === rule.role,
        );
    if (!existing) {
      inserts.push({ match: rule.match, pattern: rule.pattern, role: rule.role });
      continue;
    }
    kept.add(existing.id);
    if (existing.match !== rule.match || existing.pattern !== rule.pattern || existing.role !== rule.role) {
      await tx
        .update(mappingRules)
        .set({ match: rule.match, pattern: rule.pattern, role: rule.role })
        .where(and(eq(mappingRules.id, existing.id), eq(mappingRules.organizationId, organizationId)));
    }
  }
  const gone = current.rules.filter((r) => !kept.has(r.id)).map((r) => r.id);
  if (gone.length > 0)
    await tx
      .delete(mappingRules)
      .where(and(eq(mappingRules.organizationId, organizationId), inArray(mappingRules.id, gone)));
  const insertedIds: string[] = [];
  for (let i = 0; i < inserts.length; i += 1000) {
    const rows = await tx
      .insert(mappingRules)
      .values(inserts.slice(i, i + 1000).map((r) => ({ organizationId, ...r, createdBy: actor.actor })))
      .returning({ id: mappingRules.id });
    insertedIds.push(...rows.map((r) => r.id));
  }

  const nextRoles = new Map(next.customRoles.map((r) => [r.name, r]));
  const goneRoles = current.customRoles.filter((r) => !nextRoles.has(r.name)).map((r) => r.name);
  if (goneRoles.length > 0)
    await tx
      .delete(customRoles)
      .where(and(eq(customRoles.organizationId, organizationId), inArray(customRoles.name, goneRoles)));
  for (const role of next.customRoles) {
    const before = current.customRoles.find((r) => r.name === role.name);
    const permissions = [...role.permissions] as Permission[];
    if (!before) {
      await tx.insert(customRoles).values({
        organizationId,
        name: role.name,
        description: role.description,
        permissions,
        createdBy: actor.actor,
      });
    } else if (before.description !== role.description || before.permissions.join() !== permissions.join()) {
      await tx
        .update(customRoles)
        .set({ description: role.description, permissions })
        .where(and(eq(customRoles.organizationId, organizationId), eq(customRoles.name, role.name)));
    }
  }
  if (next.defaultRole !== current.defaultRole)
    await tx.update(organizations).set({ defaultRole: next.defaultRole }).where(eq(organizations.id, organizationId));
  if (JSON.stringify(next.groupsFilter) !== JSON.stringify(current.groupsFilter)) {
    await tx
      .update(organizations)
      .set({ groupsAllow: next.groupsFilter?.allow ?? null, groupsBlock: next.groupsFilter?.block ?? null })
      .where(eq(organizations.id, organizationId));
  }
  return insertedIds;
}

// One-change helpers (tests, scripts): the same path as the console, without a preview shown first.
export const addRule = (db: Db, actor: Actor, input: { match: "exact" | "regex"; pattern: string; role: string }) =>
  applyRuleChange(db, actor, { kind: "add_rule", ...input }, { confirmation: true });
export const editRule = (
  db: Db,
  actor: Actor,
  input: { id: string; match: "exact" | "regex"; pattern: string; role: string },
) => applyRuleChange(db, actor, { kind: "edit_rule", ...input }, { confirmation: true });
export const deleteRule = (db: Db, actor: Actor, id: string) =>
  applyRuleChange(db, actor, { kind: "delete_rule", id }, { confirmation: true });
export const addCustomRole = (
  db: Db,
  actor: Actor,
  input: { name: string; description: string; permissions: string[] },
) => applyRuleChange(db, actor, { kind: "add_role", ...input }, { confirmation: true });
export const deleteCustomRole = (db: Db, actor: Actor, name: string) =>
  applyRuleChange(db, actor, { kind: "delete_role", name }, { confirmation: true });
export const setDefaultRole = (db: Db, actor: Actor, role: string | null) =>
  applyRuleChange(db, actor, { kind: "set_default_role", role }, { confirmation: true });
