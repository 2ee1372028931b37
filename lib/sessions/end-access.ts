import { and, eq, inArray, isNull } from "drizzle-orm";
import {
  appendAuditEvents,
  auditEvent,
  type AuditDetails,
  type AuditEventBase,
  type AuditTx,
  type RevocationCause,
} from "../audit";
import type { Db, Queryable } from "../db/client";
import { sessions, users } from "../db/schema";

/** Who loses access, why, and what said so. */
export interface AccessEnding {
  organizationId: string;
  connection: string;
  /** One person, or several (Universal Logout by an email that several people share). */
  people: readonly { id: string; sub: string; email: string | null }[];
  cause: RevocationCause;
  /** Who ended it, for the audit event: Okta, an admin. */
  by: Pick<AuditEventBase, "actor" | "actorSub" | "ip" | "userAgent">;
  /** The rest of the event: the signal's id and type, Okta's words, the admin's name, when it happened at Okta. */
  details?: Omit<AuditDetails<"session.revoked">, "cause" | "sessions">;
}

/**
 * The one revocation path: every way Okta (or an admin) says a person must lose access now ends it here:
 * Universal Logout, a Shared Signals event, an Event Hook or System Log deactivation, suspension or
 * session clear, SCIM deprovisioning, the console's "End all sessions". Every live porter session of each
 * person in the organization ends (every node's next request is refused: the database announces the change
 * to every node's session cache, lib/sessions/cache.ts), their Okta access tokens issued before now are refused on the bearer API,
 * and one session.revoked event per person names the cause. In the caller's
 * transaction. Returns the sessions ended per person.
 */
export async function endAccess(
  tx: Queryable & AuditTx,
  ending: AccessEnding,
): Promise<{ userId: string; sessions: number }[]> {
  if (ending.people.length === 0) return [];
  const ids = ending.people.map((p) => p.id);
  const ended = await tx
    .update(sessions)
    .set({ revokedAt: new Date(), revokedReason: ending.cause })
    .where(
      and(
        eq(sessions.organizationId, ending.organizationId),
        inArray(sessions.userId, ids),
        isNull(sessions.revokedAt),
      ),
    )
    .returning({ userId: sessions.userId });
  // Okta access tokens issued before this moment are refused on the bearer API (lib/auth/bearer.ts).
  await tx
    .update(users)
    .set({ accessEndedAt: new Date() })
    .where(and(eq(users.organizationId, ending.organizationId), inArray(users.id, ids)));
  const counts = new Map<string, number>();
  for (const row of ended) counts.set(row.userId, (counts.get(row.userId) ?? 0) + 1);
  const result = ending.people.map((p) => ({ userId: p.id, sessions: counts.get(p.id) ?? 0 }));
  await appendAuditEvents(
    tx,
    ending.people.map((p) =>
      auditEvent(
        "session.revoked",
        { ...ending.details, cause: ending.cause, sessions: counts.get(p.id) ?? 0 },
        {
          organizationId: ending.organizationId,
          connection: ending.connection,
          ...ending.by,
          target: `user:${p.id}`,
          targetLabel: p.email ?? p.sub,
          reason: ending.cause,
        },
      ),
    ),
  );
  return result;
}

/** endAccess in a transaction of its own: if the audit events cannot be written, no session ends. */
export function endAccessNow(db: Db, ending: AccessEnding): Promise<{ userId: string; sessions: number }[]> {
  return db.transaction((tx) => endAccess(tx, ending));
}
