import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { customRoles, mappingRules, organizations, services } from "../db/schema";
import { bumpRulesVersion, lockOrganization } from "../organizations/queries";
import { ensureTeams } from "../people";
import { forgetRuleSet } from "../organizations/rule-sets";
import type { Seed } from "./seed";

/**
 * Applies the seed (rules as code) to an organization once, when it is new. Later edits in the console are
 * never overwritten by a restart. Returns true when the seed was applied now.
 */
export async function applySeedOnce(db: Db, organizationId: string, seed: Seed): Promise<boolean> {
  const applied = await db.transaction(async (tx) => {
    await lockOrganization(tx, organizationId);
    const [org] = await tx
      .select({ seededAt: organizations.seededAt })
      .from(organizations)
      .where(eq(organizations.id, organizationId));
    if (!org || org.seededAt) return false;
    const actor = "seed file";
    if (seed.roles.length > 0) {
      await tx.insert(customRoles).values(
        seed.roles.map((r) => ({
          organizationId,
          name: r.name,
          description: r.description,
          permissions: [...r.permissions],
          createdBy: actor,
        })),
      );
    }
    if (seed.rules.length > 0) {
      await tx.insert(mappingRules).values(
        seed.rules.map((r) => ({
          organizationId,
          match: r.match,
          pattern: r.pattern,
          role: r.role,
          createdBy: actor,
        })),
      );
    }
    const teamIds = await ensureTeams(tx, organizationId, [...new Set(seed.services.map((s) => s.ownerTeam))]);
    for (const s of seed.services) {
      const ownerTeamId = teamIds.get(s.ownerTeam);
      if (!ownerTeamId) throw new Error(`team ${s.ownerTeam} was not created`);
      await tx
        .insert(services)
        .values({
          organizationId,
          name: s.name,
          description: s.description,
          lifecycle: s.lifecycle,
          ownerTeamId,
          updatedBy: actor,
        })
        .onConflictDoNothing();
    }
    await tx
      .update(organizations)
      .set({ defaultRole: seed.defaultRole, seededAt: new Date() })
      .where(eq(organizations.id, organizationId));
    await bumpRulesVersion(tx, organizationId, actor);
    return true;
  });
  forgetRuleSet(organizationId);
  return applied;
}
