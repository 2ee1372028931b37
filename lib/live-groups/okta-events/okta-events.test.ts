import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { testDatabases, useTestDatabase } from "../../../test/support/databases";
import { newOrganization, signInPerson } from "../../../test/support/people";
import { auditEvents, oktaEvents, sessions } from "../../db/schema";
import { HookError, OktaClient, readHookDelivery, verificationResponse } from "../../okta";
import type { Organization } from "../../organizations/organizations";
import { getStoredRoles, getUserTeams } from "../../people/queries";
import { getActiveSession, hashSessionId } from "../../sessions/store";
import { applyPendingOktaEvents, type OktaEventsContext } from "./apply";
import { HANDLED_EVENT_TYPES } from "./handlers";
import type { LogEventLike } from "./log-event";
import { describeOutcome } from "./outcome";
import { enqueueOktaEvents, pruneOktaEvents } from "./queue";

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
let tick = 0;
const lifecycle = (eventType: string, userId: string, extra: LogEventLike["target"] = []): LogEventLike => ({
  uuid: randomUUID(),
  published: new Date(Date.parse("2026-12-01T10:00:00Z") + 1000 * tick++).toISOString(),
  eventType,
  target: [{ id: userId, type: "User" }, ...(extra ?? [])],
});

describe("Okta Event Hook deliveries", () => {
  it("answer the verification with the challenge, and 400 without one", async () => {
    const ok = verificationResponse(new Request("https://x/", { headers: { "x-okta-verification-challenge": "abc" } }));
    expect(await ok.json()).toEqual({ verification: "abc" });
    expect(verificationResponse(new Request("https://x/")).status).toBe(400);
  });

  const envelope = JSON.stringify({
    eventType: "com.okta.event_hook",
    eventId: "d1",
    data: { events: [membership("remove", "00u1", "team-payments", "2026-12-01T09:00:00Z")] },
  });

  it("read a delivery that carries the secret", async () => {
    await expect(readHookDelivery(post(envelope), hook)).resolves.toMatchObject({
      deliveryId: "d1",
      events: [{ eventType: "group.user_membership.remove" }],
    });
  });

  it("refuse no secret, a wrong one, or one behind a scheme with 401", async () => {
    const wrong: Record<string, string>[] = [
      {},
      { authorization: "nope" },
      { authorization: `Basic ${hook.eventHookSecret}` },
    ];
    for (const headers of wrong) {
      await expect(readHookDelivery(post(envelope, headers), hook)).rejects.toMatchObject({ status: 401 });
    }
  });

  it("refuse a body that is not JSON, not an Okta delivery, or 5 MB", async () => {
    await expect(readHookDelivery(post("{not json"), hook)).rejects.toBeInstanceOf(HookError);
    const notOkta = JSON.stringify({ eventType: "com.okta.event_hook", data: { events: [{ uuid: "x" }] } });
    await expect(readHookDelivery(post(notOkta), hook)).rejects.toMatchObject({ status: 400 });
    await expect(readHookDelivery(post("x".repeat(5 * 1024 * 1024)), hook)).rejects.toMatchObject({ status: 413 });
  });

  it("answer 404 for an organization without a hook secret", async () => {
    await expect(
      readHookDelivery(post(envelope), { eventHookSecret: undefined, eventHookHeader: "authorization" }),
    ).rejects.toMatchObject({ status: 404 });
  });
});

describe.each(testDatabases())("Okta events applied on %s", (_name, dbConfig) => {
  const handle = useTestDatabase(dbConfig);

  const contextOf = (organization: Organization, okta: OktaClient | null = null): OktaEventsContext => ({
    organization,
    connection: { name: "acme", clientId: "porter-eu" },
    okta,
  });
  const enqueue = (organization: Organization, events: readonly LogEventLike[]) =>
    enqueueOktaEvents(handle.db, {
      organizationId: organization.id,
      connection: "acme",
      deliveryId: null,
      source: "event_hook",
      events,
    });

  async function orgWithDev(options: { session?: boolean } = {}) {
    const organization = await newOrganization(handle.db, { prefix: "events" });
    const dev = await signInPerson(handle.db, organization, "00u1dev", ["Engineering", "team-payments", "Everyone"], {
      email: "dev@example.com",
      ...options,
    });
    return { organization, dev: dev.user, sid: dev.sid };
  }

  it("stores each event once per uuid, however often Okta delivers it", async () => {
    const { organization } = await orgWithDev();
    const removal = membership("remove", "00u1dev", "team-payments", "2026-12-01T09:00:02Z");
    expect(await enqueue(organization, [removal, removal])).toBe(1);
    expect(await enqueue(organization, [removal])).toBe(0);
  });

  it("applies memberships in published order, one apply per person, and says why each role went", async () => {
    const { organization, dev } = await orgWithDev();
    const removal = membership("remove", "00u1dev", "team-payments", "2026-12-01T09:00:02Z");
    const grant = membership("add", "00u1dev", "PAM Linux Sysadmins", "2026-12-01T09:00:01Z");
    const bare = { ...removal, target: null, uuid: randomUUID(), published: "2026-12-01T09:00:02.500Z" };
    const stranger = membership("add", "00u-someone-else", "Port Admins", "2026-12-01T09:00:03Z");
    // Delivered out of order (Okta promises no order).
    await enqueue(organization, [removal, grant, bare, stranger]);
    const applied = await applyPendingOktaEvents(handle.db, contextOf(organization));
    expect(applied).toEqual([
      {
        uuid: grant.uuid,
        outcome: { kind: "applied", effect: "membership_added", group: "PAM Linux Sysadmins", confirmed: false },
      },
      {
        uuid: removal.uuid,
        outcome: { kind: "applied", effect: "membership_removed", group: "team-payments", confirmed: false },
      },
      { uuid: bare.uuid, outcome: { kind: "skipped", reason: "no_credential", detail: "the event names no user" } },
      { uuid: stranger.uuid, outcome: { kind: "ignored", reason: "unknown_person" } },
    ]);
    expect(await getUserTeams(handle.db, dev.id)).toEqual(["Engineering", "Everyone", "PAM Linux Sysadmins"]);
    expect((await getStoredRoles(handle.db, dev.id)).map((r) => r.role)).toEqual(["sre", "viewer"]);
    // Both events of dev were one apply: one roles.changed, naming both causes.
    const changes = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.organizationId, organization.id), eq(auditEvents.type, "roles.changed")));
    expect(changes.filter((c) => c.details.cause === "okta_event").map((c) => c.details)).toEqual([
      expect.objectContaining({
        cause: "okta_event",
        gained: ["sre"],
        lost: ["member"],
        why: `Okta added PAM Linux Sysadmins, event ${grant.uuid}; Okta removed team-payments, event ${removal.uuid}`,
      }),
    ]);
    expect(await applyPendingOktaEvents(handle.db, contextOf(organization))).toEqual([]);
  });

  it("stores the outcome as a code and a value, and words it at the edge", async () => {
    const { organization } = await orgWithDev();
    const removal = membership("remove", "00u1dev", "team-payments", "2026-12-01T09:10:00Z");
    await enqueue(organization, [removal]);
    await applyPendingOktaEvents(handle.db, contextOf(organization));
    const [row] = await handle.db.select().from(oktaEvents).where(eq(oktaEvents.uuid, removal.uuid));
    expect(row).toMatchObject({
      outcomeCode: "applied.membership_removed",
      outcomeDetail: { kind: "applied", effect: "membership_removed", group: "team-payments", confirmed: false },
    });
    expect(
      describeOutcome(
        { kind: "applied", effect: "membership_removed", group: "team-payments", confirmed: false },
        removal.eventType,
      ),
    ).toBe("applied: Okta removed team-payments");
  });

  it("never applies a membership type porter has no handler for, as a removal or otherwise (bug 2)", async () => {
    const { organization, dev } = await orgWithDev();
    // A membership-shaped event of a type not in the handler table (Okta has more than add and remove).
    const other = {
      ...membership("add", "00u1dev", "team-payments", "2026-12-01T09:20:00Z"),
      eventType: "group.user_membership.update",
    };
    await enqueue(organization, [other]);
    expect(await applyPendingOktaEvents(handle.db, contextOf(organization))).toEqual([
      { uuid: other.uuid, outcome: { kind: "ignored", reason: "not_handled" } },
    ]);
    expect(await getUserTeams(handle.db, dev.id)).toContain("team-payments");
    // The direction of a membership event is its handler's: every handled membership type keeps its meaning.
    expect(HANDLED_EVENT_TYPES.filter((t) => t.startsWith("group.user_membership."))).toEqual([
      "group.user_membership.add",
      "group.user_membership.remove",
    ]);
  });

  it("stores an event with NUL characters in any field it keeps (review finding 3)", async () => {
    const { organization } = await orgWithDev();
    const event = membership("add", "00u1dev", "Every\u0000one", "2026-12-01T09:30:00Z");
    const hostile = {
      ...event,
      target: [
        { id: "00u1dev", type: "User", alternateId: "dev\u0000@example.com \\u0000 literal", displayName: "x\u0000" },
        ...(event.target ?? []).slice(1),
      ],
    };
    expect(await enqueue(organization, [hostile])).toBe(1);
    const [row] = await handle.db.select().from(oktaEvents).where(eq(oktaEvents.uuid, hostile.uuid));
    expect(row?.event).toMatchObject({
      target: [
        { alternateId: "dev@example.com \\u0000 literal", displayName: "x" },
        { type: "UserGroup", displayName: "Everyone" },
      ],
    });
  });

  it("keeps only what porter reads of an event: no addresses, agents, geolocation or context (review finding 11)", async () => {
    const { organization } = await orgWithDev();
    const full = {
      ...membership("add", "00u1dev", "Everyone", "2026-12-01T09:31:00Z"),
      client: { ipAddress: "198.51.100.9", userAgent: { rawUserAgent: "Mozilla" }, geographicalContext: { city: "X" } },
      securityContext: { isProxy: false },
      debugContext: { debugData: { requestUri: "/x" } },
      actor: { id: "00uadmin", type: "User", alternateId: "admin@example.com" },
    };
    await enqueue(organization, [full]);
    const [row] = await handle.db.select().from(oktaEvents).where(eq(oktaEvents.uuid, full.uuid));
    expect(Object.keys(row?.event ?? {}).sort()).toEqual(["eventType", "published", "target", "uuid"]);
  });

  it("prunes processed events past the retention period and refuses a replay older than it (review finding 11)", async () => {
    const { organization, dev } = await orgWithDev();
    const old = membership("remove", "00u1dev", "team-payments", new Date(Date.now() - 31 * 86_400_000).toISOString());
    await enqueue(organization, [old]);
    expect((await applyPendingOktaEvents(handle.db, contextOf(organization))).map((a) => a.outcome)).toEqual([
      { kind: "ignored", reason: "older_than_retention" },
    ]);
    expect(await getUserTeams(handle.db, dev.id)).toContain("team-payments");
    await handle.db
      .update(oktaEvents)
      .set({ receivedAt: new Date(Date.now() - 31 * 86_400_000) })
      .where(eq(oktaEvents.uuid, old.uuid));
    await pruneOktaEvents(handle.db);
    expect(await handle.db.select().from(oktaEvents).where(eq(oktaEvents.uuid, old.uuid))).toEqual([]);
    // Delivered again after its uuid was pruned: still refused.
    await enqueue(organization, [old]);
    expect((await applyPendingOktaEvents(handle.db, contextOf(organization))).map((a) => a.outcome)).toEqual([
      { kind: "ignored", reason: "older_than_retention" },
    ]);
  });

  it("ends the person's sessions when Okta deactivates, suspends or clears them, through the one revocation path", async () => {
    const { organization, sid } = await orgWithDev({ session: true });
    const other = await newOrganization(handle.db, { prefix: "events-other", seed: null });
    const deactivate = lifecycle("user.lifecycle.deactivate", "00u1dev");
    // The same Okta user id sent to another organization's queue touches nobody here.
    await enqueue(other, [deactivate]);
    expect(await applyPendingOktaEvents(handle.db, contextOf(other))).toEqual([
      { uuid: deactivate.uuid, outcome: { kind: "ignored", reason: "unknown_person" } },
    ]);
    expect(await getActiveSession(handle.db, sid ?? "")).toHaveProperty("user");
    await enqueue(organization, [deactivate]);
    expect(await applyPendingOktaEvents(handle.db, contextOf(organization))).toEqual([
      { uuid: deactivate.uuid, outcome: { kind: "applied", effect: "access_ended", sessions: 1 } },
    ]);
    expect(await getActiveSession(handle.db, sid ?? "")).toMatchObject({
      rejected: "revoked",
      session: { revokedReason: "okta_event" },
    });
    const [revoked] = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.organizationId, organization.id), eq(auditEvents.type, "session.revoked")));
    expect(revoked?.details).toMatchObject({
      cause: "okta_event",
      sessions: 1,
      signal: { id: deactivate.uuid, type: "user.lifecycle.deactivate" },
    });
  });

  it("ends sessions on an unassignment from this organization's app only, not from another Okta app (review finding 8)", async () => {
    const { organization, sid } = await orgWithDev({ session: true });
    const app = (id: string) => [{ id, type: "AppInstance", alternateId: "an app", displayName: "an app" }];
    const elsewhere = lifecycle("application.user_membership.remove", "00u1dev", app("0oa-some-other-app"));
    const unnamed = lifecycle("application.user_membership.remove", "00u1dev");
    await enqueue(organization, [elsewhere, unnamed]);
    expect((await applyPendingOktaEvents(handle.db, contextOf(organization))).map((a) => a.outcome)).toEqual([
      { kind: "ignored", reason: "another_app" },
      { kind: "ignored", reason: "no_app_named" },
    ]);
    expect(await getActiveSession(handle.db, sid ?? "")).toHaveProperty("user");
    const here = lifecycle("application.user_membership.remove", "00u1dev", app("porter-eu"));
    await enqueue(organization, [here]);
    expect((await applyPendingOktaEvents(handle.db, contextOf(organization))).map((a) => a.outcome)).toEqual([
      { kind: "applied", effect: "access_ended", sessions: 1 },
    ]);
  });

  it("re-reads from Okta's API what a delivery left out: a null target from the System Log, a missing group from the Users API", async () => {
    const { organization, dev } = await orgWithDev();
    const full = membership("add", "00u1dev", "PAM Linux Sysadmins", "2026-12-01T11:00:00Z");
    const bare = { ...full, target: null };
    const groupless = {
      ...membership("remove", "00u1dev", "x", "2026-12-01T11:00:01Z"),
      target: [{ id: "00u1dev", type: "User" }],
    };
    const unknown = { ...membership("add", "00u1dev", "y", "2026-12-01T11:00:02Z"), target: null };
    const calls: string[] = [];
    // Okta's answers, as its API gives them (SSWS checked; the System Log finds events by uuid).
    const fetchImpl: typeof fetch = (input, init) => {
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
    await enqueue(organization, [bare, groupless, unknown]);
    const okta = new OktaClient({ orgUrl: "https://acme.okta.com", token: "t" }, fetchImpl);
    expect((await applyPendingOktaEvents(handle.db, contextOf(organization, okta))).map((a) => a.outcome)).toEqual([
      // Completed from the System Log, then checked against dev's list, which does not have PAM: not applied.
      { kind: "ignored", reason: "contradicted_by_okta", group: "PAM Linux Sysadmins" },
      { kind: "applied", effect: "groups_reread", added: false },
      { kind: "skipped", reason: "not_in_system_log" },
    ]);
    expect([...calls].sort()).toEqual([
      "/api/v1/logs",
      "/api/v1/logs",
      "/api/v1/users/00u1dev/groups",
      "/api/v1/users/00u1dev/groups",
    ]);
    expect(await getUserTeams(handle.db, dev.id)).toEqual(["Engineering", "Everyone"]);
    // Without a credential the same gap is named, not guessed.
    const again = { ...bare, uuid: randomUUID() };
    await enqueue(organization, [again]);
    expect(await applyPendingOktaEvents(handle.db, contextOf(organization))).toEqual([
      { uuid: again.uuid, outcome: { kind: "skipped", reason: "no_credential", detail: "the event names no user" } },
    ]);
  });

  /** Okta's Users API for dev: these groups, or a failure. */
  const usersApi = (groups: string[] | "down") => {
    const calls: string[] = [];
    const fetchImpl: typeof fetch = (input) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      calls.push(url.pathname);
      if (groups === "down") return Promise.resolve(new Response("{}", { status: 503 }));
      return Promise.resolve(Response.json(groups.map((name) => ({ id: name, profile: { name } }))));
    };
    return { okta: new OktaClient({ orgUrl: "https://acme.okta.com", token: "t" }, fetchImpl), calls };
  };

  it("with an Okta API credential, a delivery is a notification: a forged grant of Port Admins makes nobody an admin (review finding 1)", async () => {
    const { organization, dev } = await orgWithDev();
    const forged = membership("add", "00u1dev", "Port Admins", "2026-12-01T13:00:00Z");
    const real = membership("remove", "00u1dev", "team-payments", "2026-12-01T13:00:01Z");
    await enqueue(organization, [forged, real]);
    const okta = usersApi(["Engineering", "Everyone"]);
    expect(await applyPendingOktaEvents(handle.db, contextOf(organization, okta.okta))).toEqual([
      { uuid: forged.uuid, outcome: { kind: "ignored", reason: "contradicted_by_okta", group: "Port Admins" } },
      {
        uuid: real.uuid,
        outcome: { kind: "applied", effect: "membership_removed", group: "team-payments", confirmed: true },
      },
    ]);
    // One read for dev's two events: Okta's list is what porter applied.
    expect(okta.calls).toEqual(["/api/v1/users/00u1dev/groups"]);
    expect(await getUserTeams(handle.db, dev.id)).toEqual(["Engineering", "Everyone"]);
    expect((await getStoredRoles(handle.db, dev.id)).map((r) => r.role)).not.toContain("admin");
  });

  it("when Okta cannot be asked, applies a removal (it only takes access away) and holds an addition (review finding 1)", async () => {
    const { organization, dev } = await orgWithDev();
    const grant = membership("add", "00u1dev", "Port Admins", "2026-12-01T13:10:00Z");
    const removal = membership("remove", "00u1dev", "team-payments", "2026-12-01T13:10:01Z");
    await enqueue(organization, [grant, removal]);
    const outcomes = (await applyPendingOktaEvents(handle.db, contextOf(organization, usersApi("down").okta))).map(
      (a) => a.outcome,
    );
    expect(outcomes).toEqual([
      { kind: "skipped", reason: "unconfirmed", detail: "Okta's API answered HTTP 503." },
      { kind: "applied", effect: "membership_removed", group: "team-payments", confirmed: false },
    ]);
    expect(await getUserTeams(handle.db, dev.id)).toEqual(["Engineering", "Everyone"]);
  });

  it("with a credential that may not read people's groups (403), applies events as sent, as without one", async () => {
    const { organization, dev } = await orgWithDev();
    const fetchImpl: typeof fetch = () => Promise.resolve(new Response('{"errorCode":"E0000006"}', { status: 403 }));
    const forbidden = new OktaClient({ orgUrl: "https://acme.okta.com", token: "apps-only" }, fetchImpl);
    await enqueue(organization, [membership("add", "00u1dev", "PAM Linux Sysadmins", "2026-12-01T13:15:00Z")]);
    expect((await applyPendingOktaEvents(handle.db, contextOf(organization, forbidden))).map((a) => a.outcome)).toEqual(
      [{ kind: "applied", effect: "membership_added", group: "PAM Linux Sysadmins", confirmed: false }],
    );
    expect(await getUserTeams(handle.db, dev.id)).toContain("PAM Linux Sysadmins");
  });

  it("refuses an event dated in the future, so it cannot shadow later real events (review finding 1)", async () => {
    const { organization, dev } = await orgWithDev();
    const future = membership(
      "add",
      "00u1dev",
      "PAM Linux Sysadmins",
      new Date(Date.now() + 365 * 86_400_000).toISOString(),
    );
    await enqueue(organization, [future]);
    expect((await applyPendingOktaEvents(handle.db, contextOf(organization))).map((a) => a.outcome)).toEqual([
      { kind: "ignored", reason: "published_in_future" },
    ]);
    const real = membership("add", "00u1dev", "PAM Linux Sysadmins", new Date().toISOString());
    await enqueue(organization, [real]);
    expect((await applyPendingOktaEvents(handle.db, contextOf(organization))).map((a) => a.outcome)).toEqual([
      { kind: "applied", effect: "membership_added", group: "PAM Linux Sysadmins", confirmed: false },
    ]);
    expect(await getUserTeams(handle.db, dev.id)).toContain("PAM Linux Sysadmins");
  });

  it("only a full read of a person's groups counts as Okta confirming them; an applied delta does not (review finding 1)", async () => {
    const { organization, sid } = await orgWithDev({ session: true });
    const old = new Date(Date.now() - 3_600_000);
    await handle.db
      .update(sessions)
      .set({ groupsConfirmedAt: old })
      .where(eq(sessions.idHash, hashSessionId(sid ?? "")));
    const confirmedAt = async () => {
      const active = await getActiveSession(handle.db, sid ?? "");
      return "rejected" in active ? null : active.session.groupsConfirmedAt.getTime();
    };
    await enqueue(organization, [membership("remove", "00u1dev", "Engineering", "2026-12-01T13:20:00Z")]);
    await applyPendingOktaEvents(handle.db, contextOf(organization));
    expect(await confirmedAt()).toBe(old.getTime());
    await enqueue(organization, [membership("remove", "00u1dev", "team-payments", "2026-12-01T13:20:01Z")]);
    await applyPendingOktaEvents(handle.db, contextOf(organization, usersApi(["Everyone"]).okta));
    expect(await confirmedAt()).toBeGreaterThan(Date.now() - 10_000);
  });

  it("an older event that arrives after a newer one for the same membership changes nothing", async () => {
    const { organization, dev } = await orgWithDev();
    await enqueue(organization, [membership("remove", "00u1dev", "team-payments", "2026-12-01T12:00:02Z")]);
    await applyPendingOktaEvents(handle.db, contextOf(organization));
    const lateAdd = membership("add", "00u1dev", "team-payments", "2026-12-01T12:00:01Z");
    await enqueue(organization, [lateAdd]);
    expect(await applyPendingOktaEvents(handle.db, contextOf(organization))).toEqual([
      { uuid: lateAdd.uuid, outcome: { kind: "ignored", reason: "older_than_applied", group: "team-payments" } },
    ]);
    expect(await getUserTeams(handle.db, dev.id)).not.toContain("team-payments");
  });
});
