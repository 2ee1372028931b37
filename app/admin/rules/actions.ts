"use server";

import { z } from "zod";
import { parseRulesDocument, requestRuleChange } from "@/lib/rules";
import { audit } from "@/lib/audit";
import { action, type ActionState } from "@/lib/auth/access";
import { organizationNamed } from "@/lib/organizations";
import { getDb } from "@/lib/db";
import { RULE_MATCHES, type Principal, type RuleChange } from "@/lib/rbac";

const step = z.object({
  intent: z.enum(["preview", "save"]).default("preview"),
  token: z.string().max(100).optional(),
  confirmation: z.string().max(100).optional(),
});
const STEP_FIELDS = new Set(Object.keys(step.shape));

/**
 * Every change of the rules is two steps: preview (its effect on every known person) and save (exactly
 * that preview, or the new preview when something changed meanwhile). rules.write is re-checked on the
 * server by `action` at each step; the save runs under the organization's lock and is audited.
 */
async function run(
  principal: Principal,
  change: RuleChange,
  input: z.infer<typeof step> & Record<string, unknown>,
): Promise<ActionState> {
  const db = await getDb();
  const actor = { ...principal, ...(await organizationNamed(db, principal.connection)).defaults };
  const outcome = await requestRuleChange(db, actor, change, input, audit);
  if (outcome.kind === "preview") {
    const values: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(input))
      if (!STEP_FIELDS.has(k) && v !== undefined && v !== null)
        values[k] = Array.isArray(v) ? v.map((x) => String(x)) : typeof v === "string" ? v : JSON.stringify(v);
    return { status: "preview", preview: outcome.preview, values, notice: outcome.notice };
  }
  const people = outcome.result.affected.length;
  return {
    status: "ok",
    message: `Saved: ${outcome.result.summary}.${people > 0 ? ` Roles changed for ${String(people)} ${people === 1 ? "person" : "people"}.` : " Nobody's roles changed."}`,
  };
}

const name = z.string().trim().max(300);
const pattern = z.string().max(1000, "A pattern has at most 1000 characters.");
const ruleFields = z.object({ match: z.enum(RULE_MATCHES), pattern, role: name.min(1, "Choose a role.") });

export const addRuleAction = action(ruleFields.and(step), "rules.write", "rules.add", async (input, principal) =>
  run(principal, { kind: "add_rule", match: input.match, pattern: input.pattern, role: input.role }, input),
);

export const editRuleAction = action(
  ruleFields.extend({ id: z.uuid("Unknown rule.") }).and(step),
  "rules.write",
  "rules.edit",
  async (input, principal) =>
    run(
      principal,
      { kind: "edit_rule", id: input.id, match: input.match, pattern: input.pattern, role: input.role },
      input,
    ),
);

export const deleteRuleAction = action(
  z.object({ id: z.uuid("Unknown rule.") }).and(step),
  "rules.write",
  "rules.delete",
  async (input, principal) => run(principal, { kind: "delete_rule", id: input.id }, input),
);

export const addRoleAction = action(
  z
    .object({
      name,
      description: z.string().trim().max(200).default(""),
      permissions: z
        .union([z.string(), z.array(z.string()).max(20)])
        .optional()
        .transform((p) => (p === undefined ? [] : Array.isArray(p) ? p : [p])),
    })
    .and(step),
  "rules.write",
  "roles.add",
  async (input, principal) =>
    run(
      principal,
      { kind: "add_role", name: input.name, description: input.description, permissions: input.permissions },
      input,
    ),
);

export const deleteRoleAction = action(
  z.object({ name }).and(step),
  "rules.write",
  "roles.delete",
  async (input, principal) => run(principal, { kind: "delete_role", name: input.name }, input),
);

export const setDefaultRoleAction = action(
  z.object({ role: name }).and(step),
  "rules.write",
  "default_role.set",
  async (input, principal) =>
    run(principal, { kind: "set_default_role", role: input.role === "" ? null : input.role }, input),
);

/** Rules as code: a whole YAML or JSON document replaces the rules, custom roles and default role, all or nothing. */
export const importRulesAction = action(
  z
    .object({
      document: z
        .string()
        .min(1, "Paste a YAML or JSON document.")
        .max(1024 * 1024, "The document is larger than 1 MB."),
    })
    .and(step),
  "rules.write",
  "rules.import",
  async (input, principal) =>
    run(
      principal,
      {
        kind: "replace_all",
        state: parseRulesDocument(input.document, "The document"),
        source: "an imported document",
      },
      input,
    ),
);

/** porter's own groups filter (allow / block), previewed on every person's last-seen groups like any rule change. */
export const setGroupsFilterAction = action(
  z
    .object({
      allow: z.string().max(1000, "A pattern has at most 1000 characters."),
      block: z.string().max(1000, "A pattern has at most 1000 characters.").default(""),
    })
    .and(step),
  "rules.write",
  "groups_filter.set",
  async (input, principal) =>
    run(
      principal,
      {
        kind: "set_groups_filter",
        filter: { allow: input.allow === "" ? ".*" : input.allow, block: input.block === "" ? null : input.block },
      },
      input,
    ),
);
