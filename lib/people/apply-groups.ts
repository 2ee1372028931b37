import { and, eq, isNull } from "drizzle-orm";
import type { AuditEvent } from "../audit/events";
import { appendAuditEvent } from "../audit/write";
import type { Db } from "../db/client";
import { sessions, users } from "../db/schema";
import { resolveIdentity, type CompiledRuleSet } from "../rbac";
import { ensureTeams, replaceMemberships, replaceStoredRoles } from "./queries";

export interface PersonGroupsChange {
  organizationId: string;
  userId: string;
  /** The whole list as Okta now has it (before porter's filter). */
  groups: readonly string[];
  ruleSet: CompiledRuleSet;
  /** Who and what, for the audit events (actor, connection, target). */
  who: Pick<AuditEvent, "organizationId" | "connection" | "actor" | "actorSub" | "target" | "targetLabel">;
  /** Why, in the role history's words: "Okta removed PAM Linux Sysadmins, event <uuid>". */
  cause: "okta_event" | "groups_refreshed";
  change: string;
  details?: Record<string, unknown>;
}

/**
 * A person's groups changed between sign-ins (an Okta event, a refresh of stale groups): through the one
 * identity pipeline to kept groups, teams and roles, their live sessions marked as confirmed by Okta now,
 * and a roles.changed event that says what and why when roles moved. In the caller's transaction.
 */
export async function applyPersonGroups(
  tx: Db,
  input: PersonGroupsChange,
): Promise<{ gained: string[]; lost: string[]; joined: string[]; left: string[] }> {
  const { organizationId, userId } = input;
  await tx
    .update(users)
    .set({ sourceGroups: [...input.groups] })
    .where(eq(users.id, userId));
  const mapping = resolveIdentity(input.ruleSet, { kind: "groups", groups: input.groups });
  const teams = await replaceMemberships(
    tx,
    organizationId,
    userId,
    await ensureTeams(tx, organizationId, mapping.keptGroups),
  );
  const roles = await replaceStoredRoles(tx, organizationId, userId, mapping.roles, input.ruleSet.version);
  await tx
    .update(sessions)
    .set({ groupsConfirmedAt: new Date() })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)));
  if (roles.gained.length > 0 || roles.lost.length > 0) {
    const moved = [
      roles.gained.length ? `gained ${roles.gained.join(", ")}` : "",
      roles.lost.length ? `lost ${roles.lost.join(", ")}` : "",
    ]
      .filter(Boolean)
      .join("; ");
    await appendAuditEvent(tx, {
      type: "roles.changed",
      ...input.who,
      reason: input.cause,
      details: {
        cause: input.cause,
        change: `${moved}: ${input.change}`,
        why: input.change,
        gained: roles.gained,
        lost: roles.lost,
        ...input.details,
      },
    });
  }
  return { ...roles, ...teams };
}
