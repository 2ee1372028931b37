import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabases } from "../../test/support/databases";
import { openDatabase, type DbHandle } from "../db/client";
import { auditEvents, sessions } from "../db/schema";
import { eq } from "drizzle-orm";
import { ensureOrganization } from "../organizations/organizations";
import { upsertUser } from "../people/sign-in";
import { endAccessNow } from "./end-access";
import { sessionTokenContext, unseal } from "./seal";
import { createSession, getActiveSession, hashSessionId, revokeSession } from "./store";

const SECRET = "tB4q9Lw2Xz7Kd1Rm6Pv0Ns3Hj8Gc5Fy2";

describe.each(testDatabases())("sessions and users on %s", (_name, dbConfig) => {
  let handle: DbHandle;
  const org = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    handle = await openDatabase(dbConfig);
  });
  afterAll(async () => {
    await handle.close();
  });

  async function newSession(maxAgeSeconds = 3600, groups = ["Everyone"]) {
    const orgId = await ensureOrganization(handle.db, org("acme"));
    const user = await upsertUser(handle.db, orgId, { sub: "00u-1", email: "a@example.com", name: "A" });
    const rawId = await createSession(handle.db, {
      userId: user.id,
      organizationId: orgId,
      connection: "acme",
      rawGroupCount: groups.length,
      tokens: { secret: SECRET, idToken: "id.token.x", refreshToken: null },
      maxAgeSeconds,
    });
    return { orgId, user, rawId };
  }

  it("keeps the same Okta sub in two organizations as two users", async () => {
    const a = await ensureOrganization(handle.db, org("a"));
    const b = await ensureOrganization(handle.db, org("b"));
    const ua = await upsertUser(handle.db, a, { sub: "00u-same", email: "x@a.example", name: null });
    const ub = await upsertUser(handle.db, b, { sub: "00u-same", email: "x@b.example", name: null });
    expect(ua.id).not.toBe(ub.id);
    const again = await upsertUser(handle.db, a, { sub: "00u-same", email: "new@a.example", name: "N" });
    expect(again.id).toBe(ua.id);
    expect(again.email).toBe("new@a.example");
  });

  it("stores only the hash of the session id, and finds the session by the raw id", async () => {
    const groups = Array.from({ length: 100 }, (_, i) => `bulk-${String(i).padStart(3, "0")}`);
    const { rawId, user } = await newSession(3600, groups);
    const rows = await handle.db.select({ idHash: sessions.idHash }).from(sessions);
    expect(rows.some((r) => r.idHash === rawId)).toBe(false);
    expect(rows.some((r) => r.idHash === hashSessionId(rawId))).toBe(true);
    const active = await getActiveSession(handle.db, rawId);
    if ("rejected" in active) throw new Error(`session rejected: ${active.rejected}`);
    expect(active.user.id).toBe(user.id);
    expect(active.session.rawGroupCount).toBe(100); // groups live in memberships, never in the session
    expect(await getActiveSession(handle.db, `${rawId}x`)).toEqual({ rejected: "unknown", session: null });
  });

  it("refuses a revoked session at once, and revokes only once", async () => {
    const { rawId } = await newSession();
    const revoked = await revokeSession(handle.db, rawId, "sign_out");
    // Sealed at rest, bound to its session: it opens with its own context and no other.
    expect(unseal(SECRET, revoked?.idToken ?? "", sessionTokenContext(revoked?.idHash ?? "", "id_token"))).toBe(
      "id.token.x",
    );
    expect(unseal(SECRET, revoked?.idToken ?? "", sessionTokenContext("another-session", "id_token"))).toBeNull();
    expect(
      unseal(SECRET, revoked?.idToken ?? "", sessionTokenContext(revoked?.idHash ?? "", "refresh_token")),
    ).toBeNull();
    expect(await getActiveSession(handle.db, rawId)).toMatchObject({
      rejected: "revoked",
      session: { revokedReason: "sign_out" },
    });
    expect(await revokeSession(handle.db, rawId, "sign_out")).toBeNull();
  });

  it("refuses an expired session", async () => {
    const { rawId } = await newSession(-1);
    expect(await getActiveSession(handle.db, rawId)).toMatchObject({ rejected: "expired" });
  });

  it("ends every live session of one person in one organization through the one revocation path, audited with it", async () => {
    const { orgId, user, rawId } = await newSession();
    const second = await createSession(handle.db, {
      userId: user.id,
      organizationId: orgId,
      connection: "acme",
      rawGroupCount: 1,

      maxAgeSeconds: 3600,
    });
    const ended = await endAccessNow(handle.db, {
      organizationId: orgId,
      connection: "acme",
      people: [user],
      cause: "ended_by_admin",
      by: { actor: "admin@example.com", actorSub: "00u-admin" },
      details: { by: "admin@example.com" },
    });
    expect(ended).toEqual([{ userId: user.id, sessions: 2 }]);
    for (const id of [rawId, second])
      expect(await getActiveSession(handle.db, id)).toMatchObject({
        rejected: "revoked",
        session: { revokedReason: "ended_by_admin" },
      });
    const events = await handle.db.select().from(auditEvents).where(eq(auditEvents.organizationId, orgId));
    expect(events.map((e) => [e.type, e.reason, e.details])).toEqual([
      ["session.revoked", "ended_by_admin", { cause: "ended_by_admin", sessions: 2, by: "admin@example.com" }],
    ]);
  });
});
