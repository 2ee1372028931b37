import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabases } from "../../test/support/databases";
import { notificationsFor, openDatabase, type DbHandle } from "../db/client";
import type { Notifications } from "../db/notifications";
import { memberships, teams, users } from "../db/schema";
import { ensureOrganization } from "../organizations/organizations";
import { upsertUser } from "../people/sign-in";
import { SESSIONS_CHANNEL, SessionCache, checkSession, sessionCacheFor } from "./cache";
import { endAccessNow } from "./end-access";
import { createSession, revokeSession, type SessionCheck } from "./store";

/** A revoked session must be refused by every node within this bound (issue 23). */
const BOUND_MS = 1_000;
const WITHIN_BOUND = { timeout: BOUND_MS, interval: 20 };

const isActive = (c: SessionCheck) => !("rejected" in c);

describe.each(testDatabases())("the session cache on %s", (name, dbConfig) => {
  let handle: DbHandle;

  beforeAll(async () => {
    handle = await openDatabase(dbConfig);
  });
  afterAll(async () => {
    await handle.close();
  });

  async function signedIn(db = handle.db) {
    const orgId = await ensureOrganization(db, `cache-${randomUUID().slice(0, 8)}`);
    const user = await upsertUser(db, orgId, { sub: `00u-${randomUUID()}`, email: "c@example.com", name: "C" });
    const rawId = await createSession(db, {
      userId: user.id,
      organizationId: orgId,
      connection: "acme",
      rawGroupCount: 0,
      maxAgeSeconds: 3600,
    });
    return { orgId, user, rawId };
  }

  /** The check once the cache may be trusted (a PostgreSQL LISTEN connection takes a moment to open). */
  async function warm(db: DbHandle["db"], rawId: string): Promise<SessionCheck> {
    await expect.poll(async () => (await checkSession(db, rawId)) === (await checkSession(db, rawId))).toBe(true);
    return checkSession(db, rawId);
  }

  it("serves a checked session from memory: the same answer, no second read", async () => {
    const { rawId, user } = await signedIn();
    const first = await warm(handle.db, rawId);
    expect(first).toMatchObject({ user: { id: user.id }, teams: [] });
    expect(await checkSession(handle.db, rawId)).toBe(first);
    expect(sessionCacheFor(handle.db)?.size).toBeGreaterThan(0);
  });

  it("refuses a session within the bound however it ended: revoked, access ended by Okta", async () => {
    const a = await signedIn();
    await warm(handle.db, a.rawId);
    await revokeSession(handle.db, a.rawId, "signed_out");
    await expect
      .poll(async () => checkSession(handle.db, a.rawId), WITHIN_BOUND)
      .toMatchObject({ rejected: "revoked" });

    const b = await signedIn();
    await warm(handle.db, b.rawId);
    await endAccessNow(handle.db, {
      organizationId: b.orgId,
      connection: "acme",
      people: [{ id: b.user.id, sub: b.user.sub, email: b.user.email }],
      cause: "okta_event",
      by: { actor: "okta", actorSub: null, ip: null, userAgent: null },
    });
    await expect
      .poll(async () => checkSession(handle.db, b.rawId), WITHIN_BOUND)
      .toMatchObject({ rejected: "revoked" });
  });

  it("shows a membership added or removed, and a renamed team, within the bound", async () => {
    const { orgId, user, rawId } = await signedIn();
    await warm(handle.db, rawId);
    const [team] = await handle.db.insert(teams).values({ organizationId: orgId, name: "Engineering" }).returning();
    if (!team) throw new Error("no team");
    await handle.db.insert(memberships).values({ teamId: team.id, userId: user.id, organizationId: orgId });
    await expect
      .poll(async () => checkSession(handle.db, rawId), WITHIN_BOUND)
      .toMatchObject({ teams: ["Engineering"] });
    await handle.db.update(teams).set({ name: "Platform" }).where(eq(teams.id, team.id));
    await expect.poll(async () => checkSession(handle.db, rawId), WITHIN_BOUND).toMatchObject({ teams: ["Platform"] });
    await handle.db.delete(memberships).where(eq(memberships.userId, user.id));
    await expect.poll(async () => checkSession(handle.db, rawId), WITHIN_BOUND).toMatchObject({ teams: [] });
    await handle.db.update(users).set({ name: "Renamed" }).where(eq(users.id, user.id));
    await expect
      .poll(async () => checkSession(handle.db, rawId), WITHIN_BOUND)
      .toMatchObject({ user: { name: "Renamed" } });
  });

  it("names each person whose session, membership or record changed, and '*' for more than 500", async () => {
    const notifications = notificationsFor(handle.db);
    if (!notifications) throw new Error("no notifications");
    const heard: string[] = [];
    notifications.subscribe(SESSIONS_CHANNEL, (payload) => heard.push(payload));
    const { orgId, user, rawId } = await signedIn();
    await warm(handle.db, rawId);
    heard.length = 0;
    await handle.db.update(users).set({ name: "Once" }).where(eq(users.id, user.id));
    const [team] = await handle.db.insert(teams).values({ organizationId: orgId, name: "Ops" }).returning();
    if (!team) throw new Error("no team");
    await handle.db.insert(memberships).values({ teamId: team.id, userId: user.id, organizationId: orgId });
    await revokeSession(handle.db, rawId, "signed_out");
    // users (id), memberships and sessions (user_id): one payload each, the person's id.
    await expect.poll(() => heard.filter((p) => p === user.id).length, WITHIN_BOUND).toBe(3);
    heard.length = 0;
    await handle.db
      .insert(users)
      .values(
        Array.from({ length: 501 }, (_, i) => ({ organizationId: orgId, sub: `00u-many-${String(i)}`, email: null })),
      );
    await handle.db.update(users).set({ name: "Many" }).where(eq(users.organizationId, orgId));
    await expect.poll(() => heard, WITHIN_BOUND).toEqual(["*"]);
  });

  it("reads the database on every check while its notifications are not live, and trusts nothing kept before", async () => {
    const { rawId } = await signedIn();
    let live = true;
    let epoch = 1;
    const fake: Notifications = {
      subscribe: () => undefined,
      live: () => live,
      epoch: () => epoch,
      close: () => Promise.resolve(),
    };
    const cache = new SessionCache(fake);
    const first = await cache.check(handle.db, rawId);
    expect(await cache.check(handle.db, rawId)).toBe(first);
    live = false;
    const whileDown = await cache.check(handle.db, rawId);
    expect(whileDown).not.toBe(first);
    expect(await cache.check(handle.db, rawId)).not.toBe(whileDown);
    // Nothing is heard while down: a revocation then is seen because the check reads the database.
    await revokeSession(handle.db, rawId, "signed_out");
    expect(await cache.check(handle.db, rawId)).toMatchObject({ rejected: "revoked" });
    // Back with a new epoch: what was kept before is not served.
    const other = await signedIn();
    live = true;
    const kept = await cache.check(handle.db, other.rawId);
    expect(await cache.check(handle.db, other.rawId)).toBe(kept);
    epoch = 2;
    expect(await cache.check(handle.db, other.rawId)).not.toBe(kept);
  });

  it.runIf(name === "postgres")(
    "refuses on a second node within the bound a session ended on the first; survives a cut LISTEN connection",
    async () => {
      const nodeB = await openDatabase(dbConfig);
      try {
        const { rawId } = await signedIn();
        await warm(nodeB.db, rawId);
        await revokeSession(handle.db, rawId, "signed_out");
        await expect
          .poll(async () => checkSession(nodeB.db, rawId), WITHIN_BOUND)
          .toMatchObject({ rejected: "revoked" });

        // Cut every LISTEN connection from the server's side, then end a session warm on node B.
        const next = await signedIn();
        await warm(nodeB.db, next.rawId);
        const url = dbConfig.kind === "postgres" ? dbConfig.url : "";
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        try {
          await admin.query(
            "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'porter-listen'",
          );
        } finally {
          await admin.end();
        }
        await revokeSession(handle.db, next.rawId, "signed_out");
        await expect
          .poll(async () => checkSession(nodeB.db, next.rawId), WITHIN_BOUND)
          .toMatchObject({ rejected: "revoked" });
        // The connection comes back on its own and the cache serves again.
        const third = await signedIn();
        await warm(nodeB.db, third.rawId);
        const check = new pg.Client({ connectionString: url });
        await check.connect();
        try {
          const listening = await check.query<{ n: number }>(
            "select count(*)::int as n from pg_stat_activity where application_name = 'porter-listen'",
          );
          expect(listening.rows[0]?.n).toBeGreaterThan(0);
        } finally {
          await check.end();
        }
      } finally {
        await nodeB.close();
      }
    },
  );

  it("answers a bad id as unknown without keeping it", async () => {
    expect(await checkSession(handle.db, "not-a-session")).toEqual({ rejected: "unknown", session: null });
    expect(isActive(await checkSession(handle.db, "not-a-session"))).toBe(false);
  });
});
