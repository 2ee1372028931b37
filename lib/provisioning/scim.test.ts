import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { newOrganization, signInPerson } from "../../test/support/people";
import { testDatabases, useTestDatabase } from "../../test/support/databases";
import type { Db } from "../db/client";
import { auditEvents, sessions, userRoles, users } from "../db/schema";
import type { Organization } from "../organizations/organizations";
import { getOrganizationRules } from "../organizations/queries";
import { listSeenGroups } from "../people/directory";
import { bearerPerson, getUserTeams, listUsersWithTeams } from "../people/queries";
import { addRule, applyRuleChange, deleteRule, type Actor } from "../rules/manage-rules";
import { createSession, getActiveSession } from "../sessions/store";
import { ScimError } from "./errors";
import { handleScim, type ScimAnswer, type ScimMethod } from "./router";
import type { ScimScope } from "./scope";

type Json = Record<string, unknown> & { Resources?: Json[] };

/**
 * porter as Okta's SCIM server, through the same function the route calls after the token check: Okta's
 * SPEC test steps, the CRUD test's wire sequence, Push Groups, and the bad inputs of the SCIM issue.
 */
describe.each(testDatabases())("SCIM 2.0 on %s", (_name, dbConfig) => {
  const handle = useTestDatabase(dbConfig);

  async function setup(groupsSource: "scim" | "claim" = "scim") {
    const organization = await newOrganization(handle.db, { prefix: "scim" });
    const scope: ScimScope = {
      db: handle.db,
      organization,
      connection: { name: organization.name, groupsSource },
      base: `https://porter.example.com/scim/v2/${organization.name}`,
      by: { actor: "Okta", actorSub: "scim-token:test", ip: "203.0.113.5", userAgent: "Okta SCIM Client 1.0.0" },
    };
    const call = async (method: ScimMethod, path: string, body?: unknown): Promise<ScimAnswer> => {
      const url = new URL(path, "https://x");
      return handleScim(
        scope,
        method,
        url.pathname.split("/").filter(Boolean).map(decodeURIComponent),
        url.searchParams,
        body,
      );
    };
    const json = async (method: ScimMethod, path: string, body?: unknown): Promise<Json> => {
      const a = await call(method, path, body);
      if (a.status === 204) throw new Error(`${method} ${path} answered 204`);
      return a.body as Json;
    };
    /** The SCIM error a request gets (status, scimType). */
    const refused = async (method: ScimMethod, path: string, body?: unknown) => {
      try {
        await call(method, path, body);
      } catch (err) {
        if (err instanceof ScimError)
          return { status: err.status, scimType: err.scimType ?? null, detail: err.userMessage };
        throw err;
      }
      throw new Error(`${method} ${path} was not refused`);
    };
    return { organization, scope, call, json, refused };
  }

  const oktaUser = (login: string, externalId = `00u${randomUUID().replaceAll("-", "").slice(0, 17)}`) => ({
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    userName: login,
    name: { givenName: "Ada", familyName: "Lovelace" },
    emails: [{ primary: true, value: login, type: "work" }],
    displayName: "Ada Lovelace",
    locale: "en-US",
    externalId,
    groups: [],
    password: "Sup3r-Secret-Pa55!",
    active: true,
  });
  const patchOp = (...Operations: unknown[]) => ({
    schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    Operations,
  });
  /** An admin of a SCIM organization changing its rules on the console. */
  const adminOf = (organization: Organization): Actor => ({
    organizationId: organization.id,
    connection: organization.name,
    actor: "admin@example.com",
    subject: "00u-admin",
    kind: "user",
    adminGroups: [],
    groupsSource: "scim",
  });
  const rolesOf = async (db: Db, userId: string) =>
    (await db.select({ role: userRoles.role }).from(userRoles).where(eq(userRoles.userId, userId)))
      .map((r) => r.role)
      .sort();

  it("passes the steps of Okta's SPEC test", async () => {
    const { json, refused } = await setup();
    await json("POST", "/Users", oktaUser(`first-${randomUUID().slice(0, 6)}@example.com`));
    // 1-2: the first page, then that user.
    const page = await json("GET", "/Users?count=1&startIndex=1");
    expect(page).toMatchObject({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
      startIndex: 1,
      itemsPerPage: 1,
    });
    expect(typeof page.totalResults).toBe("number");
    const first = page.Resources?.[0];
    expect(first).toMatchObject({ name: { familyName: "Lovelace", givenName: "Ada" }, active: true });
    expect((first?.emails as { value: string }[])[0]?.value).toBeTruthy();
    expect(await json("GET", `/Users/${String(first?.id)}`)).toMatchObject({
      id: first?.id,
      userName: first?.userName,
    });
    // 3-5: unknown userName and id.
    expect(
      await json("GET", `/Users?filter=${encodeURIComponent('userName eq "nobody-xyz@example.com"')}`),
    ).toMatchObject({ totalResults: 0, Resources: [] });
    expect(await refused("GET", `/Users/${randomUUID()}`)).toMatchObject({ status: 404 });
    // 6-8: create, read back, create again = 409.
    const login = `spec-${randomUUID().slice(0, 6)}@example.com`;
    const created = await json("POST", "/Users", oktaUser(login));
    expect(created).toMatchObject({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: login,
      active: true,
    });
    expect(await json("GET", `/Users/${String(created.id)}`)).toMatchObject({
      userName: login,
      name: { givenName: "Ada" },
    });
    expect(await refused("POST", "/Users", oktaUser(login))).toMatchObject({ status: 409, scimType: "uniqueness" });
    // 9: userName matches case-insensitively.
    const upper = await json("GET", `/Users?filter=${encodeURIComponent(`userName eq "${login.toUpperCase()}"`)}`);
    expect(upper.totalResults).toBe(1);
    // 10: groups list. 12: an id Okta made up.
    expect(Array.isArray((await json("GET", "/Groups")).Resources)).toBe(true);
    expect(await refused("GET", "/Users/00919288221112222")).toMatchObject({ status: 404 });
    // Discovery, and 405 for a POST to it.
    expect(await json("GET", "/ServiceProviderConfig")).toMatchObject({
      patch: { supported: true },
      filter: { supported: true },
    });
    expect(((await json("GET", "/ResourceTypes")).Resources ?? []).map((r) => r.name)).toEqual(["User", "Group"]);
    expect((await json("GET", "/Schemas")).totalResults).toBe(2);
    expect(await refused("POST", "/ServiceProviderConfig", {})).toMatchObject({ status: 405 });
  });

  it("follows the CRUD test's wire sequence: provision, update, deactivate, reactivate, unassign; never stores the password", async () => {
    const { json, call, organization } = await setup();
    const login = `crud-${randomUUID().slice(0, 6)}@example.com`;
    const body = oktaUser(login);
    expect(
      (await json("GET", `/Users?filter=${encodeURIComponent(`userName eq "${login}"`)}&startIndex=1&count=100`))
        .totalResults,
    ).toBe(0);
    const created = await call("POST", "/Users", body);
    expect(created.status).toBe(201);
    const id = String((created as { body: Json }).body.id);
    const current = await json("GET", `/Users/${id}`);
    expect(
      (await json("PUT", `/Users/${id}`, { ...current, name: { givenName: "Augusta", familyName: "Lovelace" } })).name,
    ).toMatchObject({ givenName: "Augusta" });
    const deactivate = patchOp({ op: "replace", value: { active: false } });
    expect(await json("PATCH", `/Users/${id}`, deactivate)).toMatchObject({ active: false });
    expect(await json("PATCH", `/Users/${id}`, patchOp({ op: "Replace", value: { active: true } }))).toMatchObject({
      active: true,
    });
    expect(await json("PATCH", `/Users/${id}`, patchOp({ op: "REPLACE", value: { active: false } }))).toMatchObject({
      active: false,
    });
    // The password Okta sent is nowhere: not on the person, not in any audit event.
    const [row] = await handle.db.select().from(users).where(eq(users.id, id));
    expect(JSON.stringify(row)).not.toContain(body.password);
    const events = await handle.db.select().from(auditEvents).where(eq(auditEvents.organizationId, organization.id));
    expect(JSON.stringify(events)).not.toContain(body.password);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        "scim.user_provisioned",
        "scim.user_updated",
        "scim.user_deactivated",
        "scim.user_reactivated",
      ]),
    );
  });

  it("reprovisions a deactivated person POSTed again with the same externalId, and links a person who signed in first", async () => {
    const { json, call, organization } = await setup();
    const externalId = `00u${randomUUID().replaceAll("-", "").slice(0, 17)}`;
    const first = await json("POST", "/Users", oktaUser(`re-${randomUUID().slice(0, 6)}@example.com`, externalId));
    await json("PATCH", `/Users/${String(first.id)}`, patchOp({ op: "replace", value: { active: false } }));
    const again = await call("POST", "/Users", oktaUser(`renamed-${randomUUID().slice(0, 6)}@example.com`, externalId));
    expect(again.status).toBe(201);
    expect((again as { body: Json }).body).toMatchObject({ id: first.id, active: true });
    // Signed in before Okta provisioned them: the same person (their sub is Okta's id), not a second one.
    const sub = `00u${randomUUID().replaceAll("-", "").slice(0, 17)}`;
    const { user } = await signInPerson(handle.db, organization, sub, ["Everyone"]);
    const linked = await json("POST", "/Users", oktaUser(`linked-${randomUUID().slice(0, 6)}@example.com`, sub));
    expect(linked.id).toBe(user.id);
  });

  it("pushes groups as Okta does: roles follow with provenance scim, a deactivation ends sessions and roles, reactivation restores them", async () => {
    const { json, call, organization } = await setup();
    const people = await Promise.all(
      ["ada", "bob"].map((n) => json("POST", "/Users", oktaUser(`${n}-${randomUUID().slice(0, 6)}@example.com`))),
    );
    const [ada, bob] = people.map((p) => String(p.id)) as [string, string];
    const admins = await json("POST", "/Groups", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "Port Admins",
      members: [],
    });
    const gid = String(admins.id);
    // Okta's membership update: displayName replace with id, then add.
    const add = patchOp(
      { op: "replace", value: { id: gid, displayName: "Port Admins" } },
      {
        op: "add",
        path: "members",
        value: [
          { value: ada, display: "ada" },
          { value: bob, display: "bob" },
        ],
      },
    );
    const aMoment = () => new Promise((resolve) => setTimeout(resolve, 5)); // meta times are in milliseconds
    await aMoment();
    expect((await call("PATCH", `/Groups/${gid}`, add)).status).toBe(204);
    expect(await rolesOf(handle.db, ada)).toEqual(["admin"]);
    const [grant] = await handle.db.select().from(userRoles).where(eq(userRoles.userId, ada));
    expect(grant?.via).toMatchObject([{ group: "Port Admins", rule: `group is "Port Admins"` }]);
    const changes = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.organizationId, organization.id), eq(auditEvents.type, "roles.changed")));
    expect(changes.map((c) => c.details.cause)).toEqual(["scim", "scim"]);
    // The same PATCH twice changes nothing more, not even meta.lastModified; a membership change moves it.
    const modified = async () => ((await json("GET", `/Groups/${gid}`)).meta as { lastModified: string }).lastModified;
    const afterAdd = await modified();
    expect(afterAdd > (admins.meta as { lastModified: string }).lastModified).toBe(true);
    await call("PATCH", `/Groups/${gid}`, add);
    expect((await json("GET", `/Groups/${gid}`)).members).toHaveLength(2);
    expect(await modified()).toBe(afterAdd);
    // Remove one by filter path.
    await aMoment();
    await call("PATCH", `/Groups/${gid}`, patchOp({ op: "remove", path: `members[value eq "${bob}"]` }));
    expect(await rolesOf(handle.db, bob)).toEqual([]);
    expect((await modified()) > afterAdd).toBe(true);
    // Deactivation ends the person's sessions and takes the roles away; reactivation brings them back.
    const sid = await createSession(handle.db, {
      userId: ada,
      organizationId: organization.id,
      connection: organization.name,
      rawGroupCount: 1,
      maxAgeSeconds: 3600,
    });
    await json("PATCH", `/Users/${ada}`, patchOp({ op: "replace", value: { active: false } }));
    expect(await getActiveSession(handle.db, sid)).toMatchObject({ rejected: "revoked" });
    expect(await rolesOf(handle.db, ada)).toEqual([]);
    const [revoked] = await handle.db.select().from(sessions).where(eq(sessions.userId, ada));
    expect(revoked?.revokedReason).toBe("scim_deprovisioned");
    await json("PATCH", `/Users/${ada}`, patchOp({ op: "replace", value: { active: true } }));
    expect(await rolesOf(handle.db, ada)).toEqual(["admin"]);
    // A full push replaces the membership; a rename keeps people but the exact rule matches nothing.
    await call("PATCH", `/Groups/${gid}`, patchOp({ op: "replace", path: "members", value: [{ value: bob }] }));
    expect([await rolesOf(handle.db, ada), await rolesOf(handle.db, bob)]).toEqual([[], ["admin"]]);
    await call(
      "PATCH",
      `/Groups/${gid}`,
      patchOp({ op: "replace", value: { id: gid, displayName: "Platform Admins" } }),
    );
    expect(await rolesOf(handle.db, bob)).toEqual([]);
    const [renamed] = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.organizationId, organization.id), eq(auditEvents.type, "scim.group_changed")))
      .orderBy(auditEvents.id)
      .then((rows) => rows.slice(-1));
    expect(renamed?.details).toMatchObject({ renamedFrom: "Port Admins", orphanedRules: ["Port Admins -> admin"] });
    // Unlink and delete in the app.
    expect((await call("DELETE", `/Groups/${gid}`)).status).toBe(204);
    expect(await refusedStatus(() => call("GET", `/Groups/${gid}`))).toBe(404);
  });

  it("keeps pushed memberships but not roles when the groups come from the claim; deactivation still takes roles away", async () => {
    const { json, call, organization } = await setup("claim");
    const sub = `00u${randomUUID().replaceAll("-", "").slice(0, 17)}`;
    const { user } = await signInPerson(handle.db, organization, sub, ["Everyone"]);
    await json("POST", "/Users", oktaUser(`claim-${randomUUID().slice(0, 6)}@example.com`, sub));
    const g = await json("POST", "/Groups", { displayName: "Port Admins" });
    await call(
      "PATCH",
      `/Groups/${String(g.id)}`,
      patchOp({ op: "add", path: "members", value: [{ value: user.id }] }),
    );
    expect(await rolesOf(handle.db, user.id)).toEqual(["viewer"]);
    await json("PATCH", `/Users/${user.id}`, patchOp({ op: "replace", value: { active: false } }));
    expect(await rolesOf(handle.db, user.id)).toEqual([]);
  });

  it("answers bad input with a SCIM error a person can act on, never a 500", async () => {
    const { json, refused } = await setup();
    const filter = (f: string) => `/Users?filter=${encodeURIComponent(f)}`;
    expect(await refused("GET", filter('userName co "a"'))).toMatchObject({ status: 400, scimType: "invalidFilter" });
    expect(await refused("GET", filter('meta.created gt "2020-01-01T00:00:00Z"'))).toMatchObject({
      status: 400,
      scimType: "invalidFilter",
    });
    expect(await refused("GET", filter(`userName eq "${"a".repeat(10_000)}"`))).toMatchObject({
      status: 400,
      scimType: "invalidFilter",
    });
    expect(
      await refused("GET", filter('userName eq "a\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n')),
    ).toMatchObject({ scimType: "invalidFilter" });
    expect(await refused("GET", filter("userName eq"))).toMatchObject({ scimType: "invalidFilter" });
    expect(await json("GET", filter('userName eq "x@example.com" or externalId eq "00u1"'))).toMatchObject({
      totalResults: 0,
    });
    // Paging: negative and zero count give totals only; huge is capped; not a number is refused; startIndex 0 is 1.
    expect(await json("GET", "/Users?count=-5")).toMatchObject({ itemsPerPage: 0 });
    expect(await json("GET", "/Users?count=0")).toMatchObject({ itemsPerPage: 0, Resources: [] });
    expect(await json("GET", "/Users?count=100000000")).toMatchObject({ startIndex: 1 });
    expect(await refused("GET", "/Users?count=ten")).toMatchObject({ status: 400, scimType: "invalidValue" });
    expect(await json("GET", "/Users?startIndex=0")).toMatchObject({ startIndex: 1 });
    // Wrong types.
    expect(await refused("POST", "/Users", { ...oktaUser("t@example.com"), active: "yes" })).toMatchObject({
      status: 400,
      scimType: "invalidValue",
    });
    expect(await refused("POST", "/Users", { ...oktaUser("t@example.com"), userName: 42 })).toMatchObject({
      scimType: "invalidValue",
    });
    expect(await refused("POST", "/Users", "just a string")).toMatchObject({ scimType: "invalidSyntax" });
    const g = await json("POST", "/Groups", { displayName: `g-${randomUUID().slice(0, 6)}` });
    const gid = String(g.id);
    expect(await refused("PATCH", `/Groups/${gid}`, patchOp({ op: "add", path: "members", value: {} }))).toMatchObject({
      scimType: "invalidValue",
    });
    expect(
      await refused("PATCH", `/Groups/${gid}`, patchOp({ op: "merge", path: "members", value: [] })),
    ).toMatchObject({ scimType: "invalidSyntax" });
    expect(
      await refused("PATCH", `/Groups/${gid}`, patchOp({ op: "replace", path: "owner", value: "x" })),
    ).toMatchObject({ scimType: "invalidPath" });
    expect(
      await refused(
        "PATCH",
        `/Groups/${gid}`,
        patchOp({ op: "add", path: "members", value: [{ value: randomUUID() }] }),
      ),
    ).toMatchObject({ scimType: "invalidValue" });
    expect(await refused("PATCH", `/Groups/${gid}`, { Operations: "none" })).toMatchObject({
      scimType: "invalidSyntax",
    });
    const u = await json("POST", "/Users", oktaUser(`p-${randomUUID().slice(0, 6)}@example.com`));
    expect(
      await refused(
        "PATCH",
        `/Users/${String(u.id)}`,
        patchOp({ op: "replace", path: "__proto__.polluted", value: 1 }),
      ),
    ).toMatchObject({ scimType: "invalidPath" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(
      await refused("PATCH", `/Users/${String(u.id)}`, patchOp({ op: "replace", path: "nickName", value: "x" })),
    ).toMatchObject({ scimType: "invalidPath" });
    // A userName that differs only in case is the same userName.
    const login = `Case-${randomUUID().slice(0, 6)}@Example.com`;
    await json("POST", "/Users", oktaUser(login));
    expect(await refused("POST", "/Users", oktaUser(login.toLowerCase()))).toMatchObject({
      status: 409,
      scimType: "uniqueness",
    });
    // Unicode and 1,000-character names are stored as sent; 1,025 is refused.
    const long = `${"ü".repeat(990)}-${randomUUID().slice(0, 8)}`;
    const unicode = await json("POST", "/Users", {
      ...oktaUser(`${long}@example.com`),
      emails: [{ value: "zoe@example.com", primary: true }],
      displayName: "Zoë 山田 🚀",
    });
    expect(unicode).toMatchObject({ displayName: "Zoë 山田 🚀" });
    expect(await refused("POST", "/Groups", { displayName: "x".repeat(1025) })).toMatchObject({
      scimType: "invalidValue",
    });
    expect(await json("POST", "/Groups", { displayName: "團".repeat(1000) })).toMatchObject({
      displayName: "團".repeat(1000),
    });
    // Unknown endpoints and methods.
    expect(await refused("GET", "/Bulk")).toMatchObject({ status: 404 });
    expect(await refused("PUT", "/Users", {})).toMatchObject({ status: 405 });
  });

  it("never reads or changes another organization's people or groups", async () => {
    const a = await setup();
    const b = await setup();
    const userA = await a.json("POST", "/Users", oktaUser(`a-${randomUUID().slice(0, 6)}@example.com`));
    const groupA = await a.json("POST", "/Groups", { displayName: "Port Admins" });
    const groupB = await b.json("POST", "/Groups", { displayName: "Port Admins" });
    const ida = String(userA.id);
    expect(await b.refused("GET", `/Users/${ida}`)).toMatchObject({ status: 404 });
    expect(
      await b.refused("PATCH", `/Users/${ida}`, patchOp({ op: "replace", value: { active: false } })),
    ).toMatchObject({ status: 404 });
    expect(await b.refused("PUT", `/Users/${ida}`, oktaUser("x@example.com"))).toMatchObject({ status: 404 });
    expect(await b.refused("DELETE", `/Groups/${String(groupA.id)}`)).toMatchObject({ status: 404 });
    expect(
      await b.refused(
        "PATCH",
        `/Groups/${String(groupB.id)}`,
        patchOp({ op: "add", path: "members", value: [{ value: ida }] }),
      ),
    ).toMatchObject({ scimType: "invalidValue" });
    // Removing another organization's person by filter path changes nothing (and says nothing about them).
    expect(
      (
        await b.call(
          "PATCH",
          `/Groups/${String(groupB.id)}`,
          patchOp({ op: "remove", path: `members[value eq "${ida}"]` }),
        )
      ).status,
    ).toBe(204);
    expect((await b.json("GET", "/Users")).totalResults).toBe(0);
    expect(await a.json("GET", `/Users/${ida}`)).toMatchObject({ active: true });
  });

  it("loses no update when two PATCHes of one group arrive at once", async () => {
    const { json, call } = await setup();
    const ids = await Promise.all(
      Array.from({ length: 20 }, async (_, i) =>
        String((await json("POST", "/Users", oktaUser(`c${String(i)}-${randomUUID().slice(0, 6)}@example.com`))).id),
      ),
    );
    const g = await json("POST", "/Groups", { displayName: "team-payments" });
    const gid = String(g.id);
    await Promise.all(
      ids.map((id) =>
        call(
          "PATCH",
          `/Groups/${gid}`,
          patchOp(
            { op: "replace", value: { id: gid, displayName: "team-payments" } },
            { op: "add", path: "members", value: [{ value: id }] },
          ),
        ),
      ),
    );
    expect(((await json("GET", `/Groups/${gid}`)).members as unknown[]).length).toBe(20);
    for (const id of ids) expect(await rolesOf(handle.db, id)).toEqual(["member"]);
  });

  it("answers each of many PATCHes sent at once on its own: the refused change nothing, the others all apply", async () => {
    const { json, call, refused, organization } = await setup();
    const people = await Promise.all(
      Array.from({ length: 6 }, async (_, i) =>
        String((await json("POST", "/Users", oktaUser(`b${String(i)}-${randomUUID().slice(0, 6)}@example.com`))).id),
      ),
    );
    const [ada = "", ...rest] = people;
    const admins = String((await json("POST", "/Groups", { displayName: "Port Admins" })).id);
    const payments = String((await json("POST", "/Groups", { displayName: "team-payments" })).id);
    const add = (gid: string, ...ids: string[]) =>
      patchOp({ op: "add", path: "members", value: ids.map((value) => ({ value })) });
    const answers = await Promise.allSettled([
      // Sent at once: one transaction, each PATCH applied in this order and answered on its own.
      call("PATCH", `/Groups/${payments}`, add(payments, ada)),
      call("PATCH", `/Groups/${admins}`, add(admins, ada, rest[2] ?? "")),
      refused("PATCH", `/Groups/${admins}`, add(admins, rest[0] ?? "", randomUUID())),
      refused("PATCH", `/Groups/${randomUUID()}`, add(admins, rest[1] ?? "")),
      refused("PATCH", `/Groups/${payments}`, patchOp({ op: "replace", path: "displayName", value: "port admins" })),
      ...rest.map((id) => call("PATCH", `/Groups/${payments}`, add(payments, id))),
      call("PATCH", `/Groups/${payments}`, patchOp({ op: "remove", path: `members[value eq "${rest[3] ?? ""}"]` })),
    ]);
    const values = answers.map((a): unknown => (a.status === "fulfilled" ? a.value : a.reason));
    expect(values.slice(2, 5)).toEqual([
      expect.objectContaining({ status: 400, scimType: "invalidValue" }),
      expect.objectContaining({ status: 404 }),
      expect.objectContaining({ status: 409, scimType: "uniqueness" }),
    ]);
    for (const v of [...values.slice(0, 2), ...values.slice(5)]) expect(v).toMatchObject({ status: 204 });
    // In arrival order: rest[3] was added, then removed again.
    const members = (await json("GET", `/Groups/${payments}`)).members as { value: string }[];
    expect(members.map((m) => m.value).sort()).toEqual(people.filter((id) => id !== rest[3]).sort());
    expect(await rolesOf(handle.db, ada)).toEqual(["admin", "member"]);
    expect(await rolesOf(handle.db, rest[0] ?? "")).toEqual(["member"]);
    expect(await rolesOf(handle.db, rest[2] ?? "")).toEqual(["admin", "member"]);
    expect(await rolesOf(handle.db, rest[3] ?? "")).toEqual([]);
    // One scim.group_changed per PATCH that changed something, and each role change says why.
    const events = await handle.db
      .select({ type: auditEvents.type, target: auditEvents.target, details: auditEvents.details })
      .from(auditEvents)
      .where(eq(auditEvents.organizationId, organization.id));
    expect(events.filter((e) => e.type === "scim.group_changed")).toHaveLength(2 + rest.length + 1);
    const whyOf = (id: string) =>
      events
        .filter((e) => e.type === "roles.changed" && e.target === `user:${id}`)
        .map((e) => (e.details as { why?: string }).why);
    // A person two PATCHes of one transaction changed: one role change, both reasons; added then removed: none.
    expect(whyOf(rest[2] ?? "")).toEqual(["Okta added them to Port Admins; Okta added them to team-payments"]);
    expect(whyOf(rest[3] ?? "")).toEqual([]);
    expect(whyOf(ada)).toEqual(["Okta added them to team-payments; Okta added them to Port Admins"]);
  });

  it("loses no group when PATCHes of different groups add one person at once, nor a deactivation", async () => {
    const { json, call, organization } = await setup();
    const names = ["Port Admins", "Everyone", "team-payments", "PAM Linux Sysadmins"];
    const groups = await Promise.all(
      names.map(async (displayName) => String((await json("POST", "/Groups", { displayName })).id)),
    );
    const people = await Promise.all(
      Array.from({ length: 5 }, async (_, i) =>
        String((await json("POST", "/Users", oktaUser(`d${String(i)}-${randomUUID().slice(0, 6)}@example.com`))).id),
      ),
    );
    const add = (gid: string, id: string) =>
      call("PATCH", `/Groups/${gid}`, patchOp({ op: "add", path: "members", value: [{ value: id }] }));
    // Each person is added to the four groups by four PATCHes at once (each reads and writes the person).
    for (const id of people) await Promise.all(groups.map((gid) => add(gid, id)));
    const listed = new Map(
      (await listUsersWithTeams(handle.db, organization.id, "scim")).map((u) => [u.id, u.sourceGroups]),
    );
    for (const id of people) {
      expect(await rolesOf(handle.db, id)).toEqual(["admin", "member", "sre", "viewer"]);
      expect(listed.get(id)).toEqual([...names].sort());
    }
    // A deactivation racing a push leaves no role in effect, whichever commits first.
    const [last] = people;
    const g = await json("POST", "/Groups", { displayName: "team-search" });
    await Promise.all([
      add(String(g.id), String(last)),
      call("PATCH", `/Users/${String(last)}`, patchOp({ op: "replace", value: { active: false } })),
    ]);
    expect(await rolesOf(handle.db, String(last))).toEqual([]);
  });

  it("keeps pushed groups where Okta pushed them: rule changes and the filter playground read them there", async () => {
    const { json, call, organization } = await setup();
    const actor = adminOf(organization);
    const filter = (block: string | null) =>
      applyRuleChange(
        handle.db,
        actor,
        { kind: "set_groups_filter", filter: { allow: ".*", block } },
        { confirmation: true },
      );
    await filter("^Data Science$");
    const [ada, bob] = await Promise.all(
      ["ada", "bob"].map(async (n) =>
        String((await json("POST", "/Users", oktaUser(`${n}-${randomUUID().slice(0, 6)}@example.com`))).id),
      ),
    );
    const group = async (displayName: string, members: (string | undefined)[]) => {
      const gid = String((await json("POST", "/Groups", { displayName })).id);
      await call(
        "PATCH",
        `/Groups/${gid}`,
        patchOp({ op: "add", path: "members", value: members.map((value) => ({ value })) }),
      );
    };
    await group("team-payments", [ada]);
    await group("Data Science", [ada, bob]);
    await group("Contractors", [bob]);
    await call("PATCH", `/Users/${String(bob)}`, patchOp({ op: "replace", value: { active: false } }));

    // No copy on the person: the pushed memberships are read where they are.
    const recorded = await handle.db
      .select({ groups: users.sourceGroups })
      .from(users)
      .where(eq(users.organizationId, organization.id));
    expect(recorded.map((r) => r.groups)).toEqual([null, null]);
    const listed = new Map(
      (await listUsersWithTeams(handle.db, organization.id, "scim")).map((u) => [u.id, u.sourceGroups]),
    );
    expect(listed.get(String(ada))).toEqual(["Data Science", "team-payments"]);
    expect(listed.get(String(bob))).toEqual([]); // deactivated: none, though Okta keeps his memberships
    // The bearer API's check of a token's groups reads the same.
    const subs = await handle.db
      .select({ id: users.id, sub: users.sub })
      .from(users)
      .where(eq(users.organizationId, organization.id));
    const tokenGroups = async (id: string) => {
      const sub = subs.find((s) => s.id === id)?.sub ?? "";
      return [
        ...((await bearerPerson(handle.db, organization.id, sub, "scim"))?.sourceGroups ?? ["(no person)"]),
      ].sort();
    };
    expect(await tokenGroups(String(ada))).toEqual(["Data Science", "team-payments"]);
    expect(await tokenGroups(String(bob))).toEqual([]);
    // The filter playground: pushed groups with someone active in them (Contractors has only Bob).
    expect((await listSeenGroups(handle.db, organization.id, "scim")).groups).toEqual([
      "Data Science",
      "team-payments",
    ]);

    // A filter change re-derives teams from the pushed groups, not from the teams the filter left.
    expect(await getUserTeams(handle.db, String(ada))).toEqual(["team-payments"]);
    await filter(null);
    expect(await getUserTeams(handle.db, String(ada))).toEqual(["Data Science", "team-payments"]);
    expect(await getUserTeams(handle.db, String(bob))).toEqual([]);
    expect(await rolesOf(handle.db, String(bob))).toEqual([]);
    expect(
      (
        await handle.db
          .select({ groups: users.sourceGroups })
          .from(users)
          .where(eq(users.id, String(ada)))
      )[0]?.groups,
    ).toBeNull();
  });

  it("writes roles from the rules in force when a rule change and a push meet", async () => {
    const { json, call, organization } = await setup();
    const actor = adminOf(organization);
    const person = String((await json("POST", "/Users", oktaUser(`r-${randomUUID().slice(0, 6)}@example.com`))).id);
    const gid = String((await json("POST", "/Groups", { displayName: "team-payments" })).id);
    const members = (op: "add" | "remove") =>
      call(
        "PATCH",
        `/Groups/${gid}`,
        op === "add"
          ? patchOp({ op: "add", path: "members", value: [{ value: person }] })
          : patchOp({ op: "remove", path: `members[value eq "${person}"]` }),
      );
    const teamRule = async () =>
      (await getOrganizationRules(handle.db, organization.id)).rules.find((r) => r.pattern === "team-.*")?.id;
    for (let i = 0; i < 6; i++) {
      // The person joins the group while the rule that made the group a role is deleted: no role either way.
      const rule = await teamRule();
      if (!rule) throw new Error("no team-.* rule");
      await Promise.all([members("add"), deleteRule(handle.db, actor, rule)]);
      expect(await rolesOf(handle.db, person)).toEqual([]);
      await members("remove");
      await addRule(handle.db, actor, { match: "regex", pattern: "team-.*", role: "member" });
    }
  });
});

async function refusedStatus(fn: () => Promise<unknown>): Promise<number> {
  try {
    await fn();
    return 0;
  } catch (err) {
    return err instanceof ScimError ? err.status : -1;
  }
}

export type { Organization };
