import { inList } from "../db/in-list";
import type { AuditEvent, AuditTx } from "../audit";
import type { Db, Queryable } from "../db/client";
import { users } from "../db/schema";
import { lockGroupWrites, ruleSetFor } from "../organizations";
import {
  applyPeopleGroups,
  peopleState,
  pushedGroupNames,
  stateColumns,
  type PeopleState,
  type PersonGroups,
} from "../people";
import type { ScimScope } from "./scope";

const CHUNK = 1000;

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** A SCIM write's transaction: the organization's group-writes lock first (lockGroupWrites), then `run`. */
export function pushTransaction<T>(scope: ScimScope, run: (tx: Tx) => Promise<T>): Promise<T> {
  return scope.db.transaction(async (tx) => {
    await lockGroupWrites(tx, scope.organization.id, "exclusive");
    return run(tx);
  });
}

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
  /** Why, in the role history's words: one reason for all, or each person's own. */
  why: string | ((userId: string) => string),
  /** Collect the roles.changed events here (the caller appends them with its own) instead of appending them. */
  events?: AuditEvent[],
): Promise<{ rolesChanged: number; labels: Map<string, string> }> {
  const authority = scope.connection.groupsSource === "scim";
  const people: PersonGroups[] = [];
  const labels = new Map<string, string>();
  let state: PeopleState | undefined;
  for (let i = 0; i < userIds.length; i += CHUNK) {
    // The people, their pushed groups and their state for the one writer, in one statement (a row each).
    const rows = await tx
      .select({
        ...stateColumns,
        sub: users.sub,
        email: users.email,
        userName: users.userName,
        deprovisionedAt: users.deprovisionedAt,
        pushed: pushedGroupNames,
      })
      .from(users)
      .where(inList(users.id, userIds.slice(i, i + CHUNK)));
    state = peopleState(rows, state);
    for (const row of rows) {
      labels.set(row.id, row.email ?? row.userName ?? row.sub);
      if (!authority && row.deprovisionedAt === null) continue;
      people.push({
        person: { id: row.id, sub: row.sub, email: row.email },
        groups: row.deprovisionedAt === null ? (JSON.parse(row.pushed) as string[]).sort() : [],
        why: typeof why === "string" ? why : why(row.id),
      });
    }
  }
  if (people.length === 0) return { rolesChanged: 0, labels };
  const applied = await applyPeopleGroups(
    tx,
    {
      organizationId: scope.organization.id,
      connection: scope.connection.name,
      // Under the lock, the rules in force now (a rule change on another node committed just before counts).
      ruleSet: await ruleSetFor(tx, scope.organization, { current: true }),
      cause: "scim",
      // Nothing re-reads pushed groups (GROUPS_MAX_AGE does not apply to them): no session to mark.
      confirmed: false,
      // With the pushed groups the authority, they stay in the pushed memberships, not copied onto the person.
      pushedGroups: authority,
      by: scope.by,
      ...(events ? { events } : {}),
    },
    people,
    state,
  );
  return { rolesChanged: applied.filter((a) => a.gained.length > 0 || a.lost.length > 0).length, labels };
}
