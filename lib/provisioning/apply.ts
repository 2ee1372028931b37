import { eq, inArray } from "drizzle-orm";
import type { AuditTx } from "../audit";
import type { Queryable } from "../db/client";
import { scimGroupMembers, scimGroups, users } from "../db/schema";
import { ruleSetFor } from "../organizations";
import { applyPeopleGroups, type PersonGroups } from "../people";
import type { ScimScope } from "./scope";

const CHUNK = 1000;

/**
 * The people's groups as Okta pushed them, through the one writer of people's groups (teams, roles with
 * provenance `scim`, role history, roles.changed): in the caller's transaction, for one person or tens of
 * thousands. A deactivated person's groups are none (their roles are out of effect until Okta reactivates
 * them). When the organization's groups come from another source (`groupsSource` not `scim`), pushed
 * memberships are only kept; deactivation still takes the roles away.
 */
export async function applyPushedGroups(
  tx: Queryable & AuditTx,
  scope: ScimScope,
  userIds: readonly string[],
  why: string,
): Promise<{ rolesChanged: number }> {
  const authority = scope.connection.groupsSource === "scim";
  const people: PersonGroups[] = [];
  for (let i = 0; i < userIds.length; i += CHUNK) {
    const chunk = userIds.slice(i, i + CHUNK);
    const rows = await tx
      .select({ id: users.id, sub: users.sub, email: users.email, deprovisionedAt: users.deprovisionedAt })
      .from(users)
      .where(inArray(users.id, chunk));
    const memberships = await tx
      .select({ userId: scimGroupMembers.userId, name: scimGroups.displayName })
      .from(scimGroupMembers)
      .innerJoin(scimGroups, eq(scimGroups.id, scimGroupMembers.groupId))
      .where(inArray(scimGroupMembers.userId, chunk));
    const groupsOf = new Map<string, string[]>();
    for (const m of memberships) groupsOf.set(m.userId, [...(groupsOf.get(m.userId) ?? []), m.name]);
    for (const row of rows) {
      if (!authority && row.deprovisionedAt === null) continue;
      people.push({
        person: { id: row.id, sub: row.sub, email: row.email },
        groups: row.deprovisionedAt === null ? (groupsOf.get(row.id) ?? []).sort() : [],
        why,
      });
    }
  }
  if (people.length === 0) return { rolesChanged: 0 };
  const applied = await applyPeopleGroups(
    tx,
    {
      organizationId: scope.organization.id,
      connection: scope.connection.name,
      ruleSet: await ruleSetFor(tx, scope.organization),
      cause: "scim",
      confirmed: true,
      by: scope.by,
    },
    people,
  );
  return { rolesChanged: applied.filter((a) => a.gained.length > 0 || a.lost.length > 0).length };
}
