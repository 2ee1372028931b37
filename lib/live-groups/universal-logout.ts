import "server-only";
import { overLimit, tooManyRequests } from "../limits/limits";
import { and, eq, lt, sql } from "drizzle-orm";
import { revokeUserSessions } from "../sessions/store";
import { connectionUrls, getConfig } from "../config";
import { getDb } from "../db";
import type { Db } from "../db/client";
import { usedTokenIds, users } from "../db/schema";
import { requestClient } from "../http/client-ip";
import { jsonError } from "../http/error-response";
import { readBodyLimited } from "../core/read-body";
import {
  LogoutError,
  logoutIssuers,
  MAX_LOGOUT_BODY,
  parseLogoutSubject,
  verifyLogoutToken,
  type LogoutSubject,
} from "../okta/global-token-revocation";
import { knownHere, NO_STORE, refuseOktaCall } from "./okta-hook-route";
import { organizationIdFor } from "../organizations/organizations";

const PURPOSE = "global-token-revocation";

/** Accepts a jti once per organization (a primary key: two nodes cannot both take one replay); forgets expired ones. */
async function spendJti(db: Db, organizationId: string, jti: string, exp: number): Promise<boolean> {
  await db.delete(usedTokenIds).where(lt(usedTokenIds.expiresAt, sql`now() - interval '1 minute'`));
  const rows = await db
    .insert(usedTokenIds)
    .values({ organizationId, purpose: PURPOSE, jti, expiresAt: new Date(exp * 1000 + 60_000) })
    .onConflictDoNothing()
    .returning({ jti: usedTokenIds.jti });
  return rows.length === 1;
}

async function findSubject(db: Db, organizationId: string, subject: LogoutSubject, issuers: string[]) {
  if (subject.format === "iss_sub" && !issuers.includes(subject.iss)) return null;
  const where =
    subject.format === "email"
      ? sql`lower(${users.email}) = ${subject.email.toLowerCase()}`
      : eq(users.sub, subject.sub);
  const [user] = await db
    .select({ id: users.id, email: users.email, sub: users.sub })
    .from(users)
    .where(and(eq(users.organizationId, organizationId), where))
    .limit(1);
  return user ?? null;
}

/**
 * POST /api/okta/<connection>/global-token-revocation: Okta's Universal Logout (Global Token Revocation).
 * The Bearer JWT is checked first (401/403), its jti used once, then the body's subject (400) and the
 * person (404); every porter session they hold in this organization ends (204). Refusals are audited,
 * aggregated per minute so a flood cannot fill the log.
 */
export async function universalLogout(req: Request, name: string): Promise<Response> {
  const connection = knownHere(name);
  if (!connection) return jsonError(404, "not_found", "No Universal Logout endpoint at this address.", NO_STORE);
  const db = await getDb();
  const organizationId = await organizationIdFor(db, connection.name);
  const limited = await overLimit(req, "okta", connection.name);
  if (limited) return tooManyRequests(limited);
  const endpoint = connectionUrls(getConfig(), connection).globalTokenRevocationUri;
  try {
    const token = await verifyLogoutToken(req.headers.get("authorization"), connection, endpoint);
    if (!(await spendJti(db, organizationId, token.jti, token.exp))) {
      throw new LogoutError({
        code: "logout_replayed",
        message: `jti ${token.jti} reused`,
        userMessage: "This Universal Logout token was already used (its jti is spent); Okta sends a new one each time.",
      });
    }
    const subject = parseLogoutSubject(await readBodyLimited(req, MAX_LOGOUT_BODY));
    const user = await findSubject(db, organizationId, subject, logoutIssuers(connection));
    const label = subject.format === "email" ? subject.email : `${subject.iss} ${subject.sub}`;
    if (!user) {
      throw new LogoutError({
        code: "logout_unknown_user",
        message: `no user ${label}`,
        userMessage: "Nobody in this organization has signed in to porter with that subject.",
      });
    }
    const ended = await revokeUserSessions(db, organizationId, user.id, "universal_logout", (count) => ({
      type: "session.revoked",
      organizationId,
      connection: connection.name,
      actor: "Okta",
      actorSub: null,
      target: `user:${user.id}`,
      targetLabel: user.email ?? user.sub,
      reason: "universal_logout",
      details: { cause: "universal_logout", jti: token.jti, subjectFormat: subject.format, sessions: count },
      ...requestClient(req.headers),
    }));
    return new Response(null, { status: 204, headers: { ...NO_STORE, "x-porter-sessions-ended": String(ended) } });
  } catch (err) {
    const response = await refuseOktaCall(req, err, "okta.logout_rejected", organizationId, connection.name);
    if (response.status === 401) response.headers.set("www-authenticate", 'Bearer error="invalid_token"');
    return response;
  }
}
