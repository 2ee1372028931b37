"use server";

import { z } from "zod";
import { addCustomRole, addRule, auditRulesChange, deleteCustomRole, deleteRule, setDefaultRole, type ChangeResult } from "@/lib/access";
import { audit } from "@/lib/audit";
import { action } from "@/lib/auth/access";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { RULE_MATCHES, type Principal } from "@/lib/rbac";

/** Every change: re-checked rules.write on the server (action), applied under the organization's lock, audited. */
async function apply(principal: Principal, run: (actor: { organizationId: string; name: string; adminGroups: readonly string[] }) => Promise<ChangeResult>) {
  const actor = { organizationId: principal.organizationId, name: principal.actor, adminGroups: getConfig().adminGroups, connection: principal.connection };
  const result = await run(actor);
  await auditRulesChange(audit, actor, result);
  const people = result.affected.length;
  return `Done: ${result.summary}.${people > 0 ? ` Roles changed for ${String(people)} ${people === 1 ? "person" : "people"}.` : ""}`;
}

const name = z.string().trim().max(300);

export const addRuleAction = action(
  z.object({ match: z.enum(RULE_MATCHES), pattern: z.string().max(1000, "A pattern has at most 1000 characters."), role: name.min(1, "Choose a role.") }),
  "rules.write",
  "rules.add",
  async (input, principal) => apply(principal, async (actor) => addRule(await getDb(), actor, input)),
);

export const deleteRuleAction = action(z.object({ id: z.uuid("Unknown rule.") }), "rules.write", "rules.delete", async (input, principal) =>
  apply(principal, async (actor) => deleteRule(await getDb(), actor, input.id)),
);

export const addRoleAction = action(
  z.object({
    name,
    description: z.string().trim().max(200).default(""),
    permissions: z
      .union([z.string(), z.array(z.string()).max(20)])
      .optional()
      .transform((p) => (p === undefined ? [] : Array.isArray(p) ? p : [p])),
  }),
  "rules.write",
  "roles.add",
  async (input, principal) =>
    apply(principal, async (actor) =>
      addCustomRole(await getDb(), actor, { name: input.name, description: input.description, permissions: input.permissions }),
    ),
);

export const deleteRoleAction = action(z.object({ name }), "rules.write", "roles.delete", async (input, principal) =>
  apply(principal, async (actor) => deleteCustomRole(await getDb(), actor, input.name)),
);

export const setDefaultRoleAction = action(z.object({ role: name }), "rules.write", "default_role.set", async (input, principal) =>
  apply(principal, async (actor) => setDefaultRole(await getDb(), actor, input.role === "" ? null : input.role)),
);
