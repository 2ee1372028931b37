import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { testDatabases, useTestDatabase } from "../../test/support/databases";
import { createSession, getActiveSession, upsertUser } from "../sessions/store";
import { auditEvents } from "../db/schema";
import { HookError, readHookDelivery, verificationResponse } from "../okta/event-hook";
import { applySeedOnce } from "../rules/apply-seed";
import { applyPendingOktaEvents, enqueueOktaEvents, type LogEventLike } from "./okta-events";
import { ensureOrganization } from "../organizations/organizations";
import { getStoredRoles, getUserTeams } from "../people/queries";
import { getCompiledRuleSet } from "../organizations/rule-sets";
import { readSeedFile } from "../rules/seed";
import { syncSignIn } from "../people/sync";

const hook = { eventHookSecret: "s".repeat(24), eventHookHeader: "authorization" };
const post = (body: string, headers: Record<string, string> = { authorization: hook.eventHookSecret }) =>
  new Request("https://porter.example/api/okta/acme/event-hook", {
    method: "POST",
    body,
    headers: { "content-type": "application/json", ...headers },
  });
const membership = (
  type: "add" | "remove",
  userId: string,
  group: string,
  published: string,
  uuid = randomUUID(),
): LogEventLike => ({
  uuid,
  published,
  eventType: `group.user_membership.${type}`,
  target: [
    { id: userId, type: "User", alternateId: "dev@example.com" },
    { id: "00g1", type: "UserGroup", displayName: group },
  ],
});

describe("Okta Event Hook deliveries", () => {
  it("answer the verification, and refuse no secret, a wrong one, a malformed or 5 MB body", async () => {
    const ok = verificationResponse(new Request("https://x/", { headers: { "x-okta-verification-challenge": "abc" } }));
    expect(await ok.json()).toEqual({ verification: "abc" });
    expect(verificationResponse(new Request("https://x/")).status).toBe(400);
    const envelope = JSON.stringify({
      eventType: "com.okta.event_hook",
      eventId: "d1",
      data: { events: [membership("remove", "00u1", "team-payments", "2026-12-01T09:00:00Z")] },
    });
    await expect(readHookDelivery(post(envelope), hook)).resolves.toMatchObject({
      deliveryId: "d1",
      events: [{ eventType: "group.user_membership.remove" }],
    });
    const wrong: Record<string, string>[] = [
      {},
      { authorization: "nope" },
      { authorization: `Basic ${hook.eventHookSecret}` },
    ];
    for (const headers of wrong) {
      await expect(readHookDelivery(post(envelope, headers), hook)).rejects.toMatchObject({ status: 401 });
    }
    await expect(readHookDelivery(post("{not json"), hook)).rejects.toBeInstanceOf(HookError);
    await expect(
      readHookDelivery(
        post(JSON.stringify({ eventType: "com.okta.event_hook", data: { events: [{ uuid: "x" }] } })),
        hook,
      ),
    ).rejects.toMatchObject({ status: 400 });
    await expect(readHookDelivery(post("x".repeat(5 * 1024 * 1024)), hook)).rejects.toMatchObject({ status: 413 });
    await expect(
      readHookDelivery(post(envelope), { eventHookSecret: undefined, eventHookHeader: "authorization" }),
    ).rejects.toMatchObject({ status: 404 });
  });
});

describe.each(testDatabases())("Okta events applied on %s", (_name, dbConfig) => {
  const handle = useTestDatabase(dbConfig);

  async function orgWithDev() {
    const organizationId = await ensureOrganization(handle.db, `events-${randomUUID().slice(0, 8)}`);
    await applySeedOnce(handle.db, organizationId, await readSeedFile("demo/org-seed.json"));
    const groups = ["Engineering", "team-payments", "Everyone"];
    const dev = await upsertUser(handle.db, organizationId, {
      sub: "00u1dev",
      email: "dev@example.com",
      name: null,
      sourceGroups: groups,
    });
    await syncSignIn(handle.db, {
      organizationId,
      userId: dev.id,
      keptGroups: groups,
      rawGroupCount: 3,
      ruleSet: await getCompiledRuleSet(handle.db, organizationId, { adminGroups: [] }),
    });
    return { organizationId, dev };
  }

  it("applies memberships in published order, once per uuid, and says why a role went", async () => {
    const { organizationId, dev } = await orgWithDev();
    const removal = membership("remove", "00u1dev", "team-payments", "2026-12-01T09:00:02Z");
    const grant = membership("add", "00u1dev", "PAM Linux Sysadmins", "2026-12-01T09:00:01Z");
    // Delivered out of order, and the removal twice (Okta retries and delivers at least once).
    const events = [
      removal,
      grant,
      removal,
      { ...removal, target: null, uuid: randomUUID(), published: "2026-12-01T09:00:02.500Z" },
      membership("add", "00u-someone-else", "Port Admins", "2026-12-01T09:00:03Z"),
    ];
    expect(
      await enqueueOktaEvents(handle.db, {
        organizationId,
        connection: "acme",
        deliveryId: "d1",
        source: "event_hook",
        events,
      }),
    ).toBe(4);
    expect(
      await enqueueOktaEvents(handle.db, {
        organizationId,
        connection: "acme",
        deliveryId: "d1",
        source: "event_hook",
        events: [removal],
      }),
    ).toBe(0);
    const applied = await applyPendingOktaEvents(handle.db, organizationId, { adminGroups: [] });
    expect(applied.map((a) => a.outcome)).toEqual([
      "applied: Okta added PAM Linux Sysadmins",
      "applied: Okta removed team-payments",
      expect.stringContaining("skipped: the event names no user") as string,
      "ignored: nobody in this organization has this Okta user id",
    ]);
    expect(await getUserTeams(handle.db, dev.id)).toEqual(["Engineering", "Everyone", "PAM Linux Sysadmins"]);
    expect((await getStoredRoles(handle.db, dev.id)).map((r) => r.role)).toEqual(["sre", "viewer"]);
    const changes = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.organizationId, organizationId), eq(auditEvents.type, "roles.changed")));
    expect(changes.map((c) => c.details.change)).toEqual([
      `gained sre: Okta added PAM Linux Sysadmins, event ${grant.uuid}`,
      `lost member: Okta removed team-payments, event ${removal.uuid}`,
    ]);
    expect(await applyPendingOktaEvents(handle.db, organizationId, { adminGroups: [] })).toEqual([]);
  });

  it("ends the person's sessions when Okta deactivates, suspends or unassigns them", async () => {
    const { organizationId, dev } = await orgWithDev();
    const sid = await createSession(handle.db, {
      userId: dev.id,
      organizationId,
      connection: "acme",
      rawGroupCount: 3,
      idToken: null,
      maxAgeSeconds: 3600,
    });
    const other = await ensureOrganization(handle.db, `events-other-${randomUUID().slice(0, 8)}`);
    const deactivate = {
      uuid: randomUUID(),
      published: "2026-12-01T10:00:00Z",
      eventType: "user.lifecycle.deactivate",
      target: [{ id: "00u1dev", type: "User" }],
    };
    // The same Okta user id sent to another organization's queue touches nobody here.
    await enqueueOktaEvents(handle.db, {
      organizationId: other,
      connection: "other",
      deliveryId: null,
      source: "event_hook",
      events: [deactivate],
    });
    expect(await applyPendingOktaEvents(handle.db, other, { adminGroups: [] })).toEqual([
      { uuid: deactivate.uuid, outcome: "ignored: nobody in this organization has this Okta user id" },
    ]);
    expect(await getActiveSession(handle.db, sid)).toHaveProperty("user");
    await enqueueOktaEvents(handle.db, {
      organizationId,
      connection: "acme",
      deliveryId: null,
      source: "event_hook",
      events: [deactivate],
    });
    expect(await applyPendingOktaEvents(handle.db, organizationId, { adminGroups: [] })).toEqual([
      { uuid: deactivate.uuid, outcome: "applied: 1 session(s) ended" },
    ]);
    expect(await getActiveSession(handle.db, sid)).toMatchObject({
      rejected: "revoked",
      session: { revokedReason: "user.lifecycle.deactivate" },
    });
  });

  it("re-reads from Okta's API what a delivery left out: a null target from the System Log, a missing group from the Users API", async () => {
    const { organizationId, dev } = await orgWithDev();
    const full = membership("add", "00u1dev", "PAM Linux Sysadmins", "2026-12-01T11:00:00Z");
    const bare = { ...full, target: null };
    const groupless = {
      ...membership("remove", "00u1dev", "x", "2026-12-01T11:00:01Z"),
      target: [{ id: "00u1dev", type: "User" }],
    };
    const unknown = { ...membership("add", "00u1dev", "y", "2026-12-01T11:00:02Z"), target: null };
    const calls: string[] = [];
    // Okta's answers, as its API gives them (SSWS checked; the System Log finds events by uuid).
    const okta: typeof fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      calls.push(url.pathname);
      if (new Headers(init?.headers).get("authorization") !== "SSWS t")
        return Promise.resolve(new Response("{}", { status: 401 }));
      if (url.pathname === "/api/v1/logs")
        return Promise.resolve(Response.json(url.searchParams.get("filter")?.includes(full.uuid) ? [full] : []));
      if (url.pathname === "/api/v1/users/00u1dev/groups")
        return Promise.resolve(
          Response.json(["Engineering", "Everyone"].map((name) => ({ id: name, profile: { name } }))),
        );
      return Promise.resolve(new Response("{}", { status: 404 }));
    };
    await enqueueOktaEvents(handle.db, {
      organizationId,
      connection: "acme",
      deliveryId: null,
      source: "event_hook",
      events: [bare, groupless, unknown],
    });
    const context = { adminGroups: [], issuer: "https://acme.okta.com/oauth2/default", oktaApiToken: "t" };
    expect((await applyPendingOktaEvents(handle.db, organizationId, context, 500, okta)).map((a) => a.outcome)).toEqual(
      [
        "applied: Okta added PAM Linux Sysadmins",
        "applied: Okta removed a group (the group list was re-read from the Users API)",
        "skipped: the event names no user, and Okta's System Log has no fuller copy of it",
      ],
    );
    expect(calls).toEqual(["/api/v1/logs", "/api/v1/users/00u1dev/groups", "/api/v1/logs"]);
    expect(await getUserTeams(handle.db, dev.id)).toEqual(["Engineering", "Everyone"]);
    // Without a credential the same gap is named, not guessed.
    const again = { ...bare, uuid: randomUUID() };
    await enqueueOktaEvents(handle.db, {
      organizationId,
      connection: "acme",
      deliveryId: null,
      source: "event_hook",
      events: [again],
    });
    expect(await applyPendingOktaEvents(handle.db, organizationId, { adminGroups: [] })).toEqual([
      { uuid: again.uuid, outcome: expect.stringContaining("needs an Okta API token") as string },
    ]);
  });

  it("an older event that arrives after a newer one for the same membership changes nothing", async () => {
    const { organizationId, dev } = await orgWithDev();
    const removal = membership("remove", "00u1dev", "team-payments", "2026-12-01T12:00:02Z");
    await enqueueOktaEvents(handle.db, {
      organizationId,
      connection: "acme",
      deliveryId: null,
      source: "event_hook",
      events: [removal],
    });
    await applyPendingOktaEvents(handle.db, organizationId, { adminGroups: [] });
    const lateAdd = membership("add", "00u1dev", "team-payments", "2026-12-01T12:00:01Z");
    await enqueueOktaEvents(handle.db, {
      organizationId,
      connection: "acme",
      deliveryId: null,
      source: "event_hook",
      events: [lateAdd],
    });
    expect(await applyPendingOktaEvents(handle.db, organizationId, { adminGroups: [] })).toEqual([
      { uuid: lateAdd.uuid, outcome: "ignored: a later Okta event for team-payments was already applied" },
    ]);
    expect(await getUserTeams(handle.db, dev.id)).not.toContain("team-payments");
  });
});
