import { appendAuditEvents, auditEvent, type AuditEvent, type AuditTx } from "../audit";
import type { Queryable } from "../db/client";
import { signIns, users, type User } from "../db/schema";
import type { CompiledRuleSet } from "../rbac";
import { applyPersonGroups, type AppliedGroups } from "./apply-groups";
import type { SignInGroups } from "./groups-source";

/** Creates the person on their first sign-in, else refreshes their name and email; one statement. */
export async function upsertUser(
  db: Queryable,
  organizationId: string,
  profile: { sub: string; email: string | null; name: string | null },
): Promise<User> {
  const now = new Date();
  const [row] = await db
    .insert(users)
    .values({ organizationId, sub: profile.sub, email: profile.email, name: profile.name, lastSignInAt: now })
    .onConflictDoUpdate({
      target: [users.organizationId, users.sub],
      set: { email: profile.email, name: profile.name, lastSignInAt: now },
    })
    .returning();
  if (!row) throw new Error("user upsert returned nothing");
  return row;
}

export interface SignInRecord {
  organizationId: string;
  connection: string;
  ruleSet: CompiledRuleSet;
  profile: { sub: string; email: string | null; name: string | null };
  /** The person's groups as the sign-in read them (the claim, or Okta's Users API). */
  read: SignInGroups;
  client: { ip: string | null; userAgent: string | null };
}

/**
 * A sign-in, as people see it: the person (created or refreshed), their groups through the one writer
 * (teams joined and left, roles with provenance, role history), the sign-in record with what changed, and
 * the sign_in.succeeded event: in the caller's transaction, with the session the caller creates.
 */
export async function recordSignIn(
  tx: Queryable & AuditTx,
  input: SignInRecord,
): Promise<{ user: User; applied: AppliedGroups }> {
  const { organizationId, connection, read, profile } = input;
  const user = await upsertUser(tx, organizationId, profile);
  const who = { actor: user.email ?? profile.sub, actorSub: profile.sub, ...input.client };
  const roleEvents: AuditEvent[] = [];
  const applied = await applyPersonGroups(
    tx,
    {
      organizationId,
      connection,
      ruleSet: input.ruleSet,
      cause: "sign_in",
      confirmed: true,
      by: who,
      withRoles: true,
      pushedGroups: read.source === "scim",
      events: roleEvents,
    },
    { person: user, groups: read.sourceGroups },
  );
  const roles = applied.mapping.roles.map((r) => ({ role: r.role, via: [...r.via] }));
  await tx.insert(signIns).values({
    organizationId,
    userId: user.id,
    rawGroupCount: read.mapping.rawGroupCount,
    keptGroups: [...applied.mapping.keptGroups],
    roles,
    gainedRoles: applied.gained,
    lostRoles: applied.lost,
    joinedTeams: applied.joined,
    leftTeams: applied.left,
  });
  const succeeded = auditEvent(
    "sign_in.succeeded",
    {
      rawGroupCount: read.mapping.rawGroupCount,
      keptGroupCount: applied.mapping.keptGroups.length,
      possiblyTruncated: read.mapping.possiblyTruncated,
      claimProblems: [...read.mapping.claimProblems],
      groupsSource: read.source,
      ...(read.usersApiProblem ? { usersApiProblem: read.usersApiProblem } : {}),
      roles: roles.map((r) => r.role),
      joinedTeams: applied.joined,
      leftTeams: applied.left,
    },
    { organizationId, connection, ...who, target: `user:${user.id}`, targetLabel: user.email ?? profile.sub },
  );
  await appendAuditEvents(tx, [succeeded, ...roleEvents]);
  return { user, applied };
}
