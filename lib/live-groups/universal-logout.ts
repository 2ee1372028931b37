import { and, eq, sql } from "drizzle-orm";
import type { AuditEventBase } from "../audit";
import type { Db } from "../db/client";
import { users } from "../db/schema";
import { LogoutError, type LogoutSubject } from "../okta";
import { endAccessNow } from "../sessions";

/**
 * Everyone in this organization a Universal Logout subject names: by `iss_sub`, the person with that Okta
 * user id (when the issuer is this organization's); by `email`, every person with that address (several
 * people may share one, and a logout must not leave any of them signed in).
 */
async function findSubjects(db: Db, organizationId: string, subject: LogoutSubject, issuers: readonly string[]) {
  if (subject.format === "iss_sub" && !issuers.includes(subject.iss)) return [];
  const where =
    subject.format === "email"
      ? sql`lower(${users.email}) = ${subject.email.toLowerCase()}`
      : eq(users.sub, subject.sub);
  return db
    .select({ id: users.id, email: users.email, sub: users.sub })
    .from(users)
    .where(and(eq(users.organizationId, organizationId), where));
}

/**
 * Okta's Universal Logout for a verified request: every porter session of everyone the subject names ends
 * through the one revocation path. 404 (LogoutError) when nobody here has that subject. Returns the
 * sessions ended.
 */
export async function universalLogout(
  db: Db,
  input: {
    organizationId: string;
    connection: string;
    subject: LogoutSubject;
    issuers: readonly string[];
    jti: string;
    client: Pick<AuditEventBase, "ip" | "userAgent">;
  },
): Promise<number> {
  const people = await findSubjects(db, input.organizationId, input.subject, input.issuers);
  if (people.length === 0) {
    const label = input.subject.format === "email" ? input.subject.email : `${input.subject.iss} ${input.subject.sub}`;
    throw new LogoutError({
      code: "logout_unknown_user",
      message: `no user ${label}`,
      userMessage: "Nobody in this organization has signed in to porter with that subject.",
    });
  }
  const ended = await endAccessNow(db, {
    organizationId: input.organizationId,
    connection: input.connection,
    people,
    cause: "universal_logout",
    by: { actor: "Okta", actorSub: null, ...input.client },
    details: { signal: { id: input.jti, type: "global-token-revocation" }, subjectFormat: input.subject.format },
  });
  return ended.reduce((n, e) => n + e.sessions, 0);
}
