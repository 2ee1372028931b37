import { signIns } from "../db/schema";
import type { CompiledRuleSet, Resolution } from "../rbac";
import { ensureTeams, replaceMemberships, replaceStoredRoles } from "./queries";
import { type Queryable } from "../organizations/queries";

export interface SignInSync {
  resolution: Resolution;
  gainedRoles: string[];
  lostRoles: string[];
  joinedTeams: string[];
  leftTeams: string[];
}

/**
 * Team sync on sign-in: the kept groups become teams, the user's memberships become exactly those
 * (groups no longer in the claim are removed), roles are resolved and recorded with provenance, and the
 * sign-in is recorded with what changed since the last one. Runs in the caller's transaction, so the
 * sign-in's session and audit events commit with it.
 */
export async function syncSignIn(
  tx: Queryable,
  input: {
    organizationId: string;
    userId: string;
    keptGroups: readonly string[];
    rawGroupCount: number;
    ruleSet: CompiledRuleSet;
  },
): Promise<SignInSync> {
  const teamIds = await ensureTeams(tx, input.organizationId, input.keptGroups);
  const { joined, left } = await replaceMemberships(tx, input.organizationId, input.userId, teamIds);
  const resolution = input.ruleSet.resolve(input.keptGroups);
  const { gained, lost } = await replaceStoredRoles(
    tx,
    input.organizationId,
    input.userId,
    resolution.roles,
    input.ruleSet.version,
  );
  await tx.insert(signIns).values({
    organizationId: input.organizationId,
    userId: input.userId,
    rawGroupCount: input.rawGroupCount,
    keptGroups: [...input.keptGroups],
    roles: resolution.roles.map((r) => ({ role: r.role, via: [...r.via] })),
    gainedRoles: gained,
    lostRoles: lost,
    joinedTeams: joined,
    leftTeams: left,
  });
  return { resolution, gainedRoles: gained, lostRoles: lost, joinedTeams: joined, leftTeams: left };
}
