import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { AuditEvent } from "../audit/events";
import { appendAuditEvent } from "../audit/write";
import type { Db } from "../db/client";
import { memberships, sessions, teams, users, type GroupsSourceKind, type SessionRow, type User } from "../db/schema";
import { seal, sessionTokenContext } from "./seal";

/** The database or a transaction. */
type Tx = Pick<Db, "select" | "insert" | "update" | "delete">;

export function hashSessionId(rawId: string): string {
  return createHash("sha256").update(rawId).digest("base64url");
}

export interface NewSession {
  userId: string;
  organizationId: string;
  connection: string;
  rawGroupCount: number;
  groupsSource?: GroupsSourceKind;
  /** Okta's tokens to keep (sealed under `secret`, bound to this session): the ID token, the refresh token. */
  tokens?: { secret: string; idToken: string | null; refreshToken: string | null };
  maxAgeSeconds: number;
}

/** Creates a server-side session and returns its raw id (only its hash is stored). */
export async function createSession(db: Tx, s: NewSession): Promise<string> {
  const rawId = randomBytes(32).toString("base64url");
  const idHash = hashSessionId(rawId);
  const sealed = (field: "id_token" | "refresh_token", value: string | null | undefined) =>
    s.tokens && value ? seal(s.tokens.secret, value, sessionTokenContext(idHash, field)) : null;
  await db.insert(sessions).values({
    idHash,
    userId: s.userId,
    organizationId: s.organizationId,
    connection: s.connection,
    rawGroupCount: s.rawGroupCount,
    groupsSource: s.groupsSource ?? "id_token",
    idToken: sealed("id_token", s.tokens?.idToken),
    refreshToken: sealed("refresh_token", s.tokens?.refreshToken),
    expiresAt: new Date(Date.now() + s.maxAgeSeconds * 1000),
  });
  return rawId;
}

export interface ActiveSession {
  session: SessionRow;
  user: User;
  /** The person's teams (their kept Okta groups), sorted: read in the same statement as the session. */
  teams: string[];
}

/** Why a presented session is not accepted. */
export type SessionRejection = "unknown" | "revoked" | "expired";

/** What a session check answers: the session with its person and teams, or why it is refused. */
export type SessionCheck = ActiveSession | { rejected: SessionRejection; session: SessionRow | null };

/** How long a session may go without its last-seen time being written (a read-mostly path). */
export const TOUCH_EVERY_MS = 60_000;

/** The session if it exists, is not revoked and has not expired; otherwise why not. Read from the database. */
export async function getActiveSession(db: Db, rawId: string): Promise<SessionCheck> {
  return readSession(db, hashSessionId(rawId));
}

export async function readSession(db: Db, idHash: string): Promise<SessionCheck> {
  const now = new Date();
  // One round trip for the per-request check: the session, its person and their teams (memberships).
  const rows = await db
    .select({
      session: sessions,
      user: users,
      teams: sql<
        string[]
      >`array(select ${teams.name} from ${memberships} inner join ${teams} on ${teams.id} = ${memberships.teamId} where ${memberships.userId} = ${users.id} order by ${teams.name})`,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.idHash, idHash))
    .limit(1);
  const row = rows[0];
  if (!row) return { rejected: "unknown", session: null };
  if (row.session.revokedAt) return { rejected: "revoked", session: row.session };
  if (row.session.expiresAt <= now) return { rejected: "expired", session: row.session };
  // Touch at most once a minute: a read-mostly path should not write on every request.
  if (now.getTime() - row.session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.idHash, idHash));
  }
  return row;
}

/** Revokes one session; returns the row as it was (for the logout hint), or null if unknown. */
export async function revokeSession(db: Tx, rawId: string, reason: string): Promise<SessionRow | null> {
  const [row] = await db
    .update(sessions)
    .set({ revokedAt: new Date(), revokedReason: reason })
    .where(and(eq(sessions.idHash, hashSessionId(rawId)), isNull(sessions.revokedAt)))
    .returning();
  return row ?? null;
}

/** Deletes sessions that ended more than a day ago, so the table cannot grow without bound. */
export async function pruneSessions(db: Db): Promise<void> {
  const cutoff = new Date(Date.now() - 24 * 60 * 60 * 1000);
  await db.delete(sessions).where(or(lt(sessions.expiresAt, cutoff), lt(sessions.revokedAt, cutoff)));
}

/**
 * Revokes one session and records why, in one transaction: if the audit event cannot be written, the
 * session stays as it was and the caller gets the error.
 */
export async function revokeSessionAudited(
  db: Db,
  rawId: string,
  reason: string,
  event: (row: SessionRow) => AuditEvent,
): Promise<SessionRow | null> {
  return db.transaction(async (tx) => {
    const revoked = await revokeSession(tx, rawId, reason);
    if (!revoked) return null;
    const [user] = await tx
      .select({ email: users.email, sub: users.sub })
      .from(users)
      .where(eq(users.id, revoked.userId));
    await appendAuditEvent(tx, {
      actor: user?.email ?? user?.sub ?? null,
      actorSub: user?.sub ?? null,
      targetLabel: user?.email ?? user?.sub ?? null,
      ...event(revoked),
    });
    return revoked;
  });
}
