import type { AuditEvent } from "../audit/events";
import type { Actor, ChangeResult } from "./manage-rules";

/** Audits a rules change and, for each person whose roles it changed, what they gained and lost. */
export async function auditRulesChange(
  audit: (event: AuditEvent) => Promise<void>,
  actor: Actor & { connection: string },
  result: ChangeResult,
): Promise<void> {
  await audit({
    type: "rules.changed",
    organizationId: actor.organizationId,
    connection: actor.connection,
    actor: actor.name,
    details: { change: result.summary, version: result.version, affectedUsers: result.affected.length },
  });
  for (const change of result.affected) {
    await audit({
      type: "roles.changed",
      organizationId: actor.organizationId,
      connection: actor.connection,
      actor: actor.name,
      details: { userId: change.userId, user: change.user, cause: "rules_changed", change: result.summary, gained: change.gained, lost: change.lost },
    });
  }
}
