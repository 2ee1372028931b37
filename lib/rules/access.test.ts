import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { testDatabases, useTestDatabase } from "../../test/support/databases";
import type { AuditEvent } from "../audit/events";
import { ensureOrganization } from "../organizations/organizations";
import { listServices } from "../catalog/queries";
import { updateService } from "../catalog/update-service";
import { services, signIns, teams } from "../db/schema";
import { RbacError, type Principal } from "../rbac";
import { applySeedOnce } from "./apply-seed";
import {
  addCustomRole,
  addRule,
  applyRuleChange,
  deleteCustomRole,
  deleteRule,
  editRule,
  previewRuleChange,
  setDefaultRole,
  StalePreviewError,
  type Actor,
} from "./manage-rules";
import { getOrganizationRules } from "../organizations/queries";
import { getStoredRoles, getUserTeams } from "../people/queries";
import { getCompiledRuleSet } from "../organizations/rule-sets";
import { parseSeed } from "./seed";
import { signInPerson } from "../../test/support/people";
import type { Organization } from "../organizations/organizations";
import { and, eq, sql } from "drizzle-orm";

/** An organization of this file's tests: no break-glass groups (the seed's rules decide everything). */
const asOrganization = (id: string): Organization => ({ id, name: "acme", defaults: { adminGroups: [] } });

const seed = parseSeed(
  JSON.stringify({
    rules: [
      { match: "exact", pattern: "Port Admins", role: "admin" },
      { match: "regex", pattern: "team-.*", role: "member" },
      { match: "exact", pattern: "Everyone", role: "viewer" },
    ],
    services: [
      { name: "payments-api", ownerTeam: "team-payments", lifecycle: "production" },
      { name: "search-indexer", ownerTeam: "team-search" },
    ],
  }),
  "test seed",
);

describe.each(testDatabases())("roles, teams and the catalog on %s", (_name, dbConfig) => {
  const handle = useTestDatabase(dbConfig);
  const events: AuditEvent[] = [];
  const record = (e: AuditEvent) => {
    events.push(e);
    return Promise.resolve();
  };

  async function newOrg() {
    const organizationId = await ensureOrganization(handle.db, `org-${randomUUID().slice(0, 8)}`);
    expect(await applySeedOnce(handle.db, organizationId, seed)).toBe(true);
    const actor: Actor = {
      organizationId,
      connection: "acme",
      actor: "admin@example.com",
      subject: "00u-admin",
      kind: "user",
      adminGroups: [],
    };
    return { organizationId, actor };
  }

  async function signIn(organizationId: string, sub: string, groups: string[]) {
    const { user, applied } = await signInPerson(handle.db, asOrganization(organizationId), sub, groups);
    return { user, applied };
  }

  const principal = (organizationId: string, permissions: Principal["permissions"], teams: string[]): Principal => ({
    kind: "user",
    organizationId,
    connection: "acme",
    actor: "someone@example.com",
    subject: "00u-someone",
    roles: [],
    permissions,
    teams,
  });

  it("applies the seed once only", async () => {
    const { organizationId } = await newOrg();
    expect(await applySeedOnce(handle.db, organizationId, seed)).toBe(false);
    expect((await getOrganizationRules(handle.db, organizationId)).rules).toHaveLength(3);
  });

  it("syncs teams on every sign-in, removing groups no longer in the claim, and records what changed", async () => {
    const { organizationId } = await newOrg();
    const first = await signIn(organizationId, "dev", ["Engineering", "team-payments", "Everyone"]);
    expect(first.applied).toMatchObject({
      gained: ["member", "viewer"],
      lost: [],
      joined: ["Engineering", "Everyone", "team-payments"],
      left: [],
    });
    expect(await getUserTeams(handle.db, first.user.id)).toEqual(["Engineering", "Everyone", "team-payments"]);

    const second = await signIn(organizationId, "dev", ["Everyone"]);
    expect(second.applied).toMatchObject({
      gained: [],
      lost: ["member"],
      joined: [],
      left: ["Engineering", "team-payments"],
    });
    expect(await getUserTeams(handle.db, first.user.id)).toEqual(["Everyone"]);
    expect(await getStoredRoles(handle.db, first.user.id)).toEqual([
      {
        role: "viewer",
        via: [{ group: "Everyone", rule: 'group is "Everyone"', ruleId: expect.any(String) as string }],
      },
    ]);
    const history = await handle.db.select().from(signIns).where(eq(signIns.userId, first.user.id));
    expect(history.map((h) => h.lostRoles)).toEqual([[], ["member"]]);
  });

  it("re-resolves every user's roles when a rule changes, and says who gained what", async () => {
    const { organizationId, actor } = await newOrg();
    const { user } = await signIn(organizationId, "eng", ["Engineering"]);
    const result = await addRule(handle.db, actor, { match: "exact", pattern: "Engineering", role: "viewer" });
    expect(result.affected).toEqual([{ userId: user.id, user: "eng@example.com", gained: ["viewer"], lost: [] }]);
    expect((await getCompiledRuleSet(handle.db, organizationId, { adminGroups: [] })).version).toBe(result.version);
  });

  it("refuses an invalid regex when saved, with the position and the reason", async () => {
    const { actor } = await newOrg();
    const err = await addRule(handle.db, actor, { match: "regex", pattern: "team-**", role: "member" }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RbacError);
    expect((err as RbacError).userMessage).toBe(
      "Invalid regular expression (at character 6): error parsing regexp: invalid nested repetition operator: `**`.",
    );
  });

  it("refuses to delete the last admin rule (lockout), but allows it while another admin rule exists", async () => {
    const { organizationId, actor } = await newOrg();
    const adminRule = (await getOrganizationRules(handle.db, organizationId)).rules.find((r) => r.role === "admin");
    if (!adminRule) throw new Error("seed has an admin rule");
    await expect(deleteRule(handle.db, actor, adminRule.id)).rejects.toMatchObject({ code: "lockout", status: 409 });
    await addRule(handle.db, actor, { match: "exact", pattern: "Okta Admins", role: "admin" });
    await expect(deleteRule(handle.db, actor, adminRule.id)).resolves.toMatchObject({
      summary: expect.stringContaining("Port Admins") as string,
    });
  });

  it("keeps custom roles safe: no rules.write, no deleting a role in use, admin never the default", async () => {
    const { actor } = await newOrg();
    await expect(
      addCustomRole(handle.db, actor, { name: "sneaky", description: "", permissions: ["rules.write"] }),
    ).rejects.toMatchObject({ code: "invalid_role" });
    await addCustomRole(handle.db, actor, { name: "auditor", description: "", permissions: ["audit.read"] });
    await addRule(handle.db, actor, { match: "exact", pattern: "Auditors", role: "auditor" });
    await expect(deleteCustomRole(handle.db, actor, "auditor")).rejects.toMatchObject({ code: "role_in_use" });
    await expect(setDefaultRole(handle.db, actor, "admin")).rejects.toMatchObject({ code: "invalid_role" });
  });

  it("never shows or changes another organization's rules or services", async () => {
    const a = await newOrg();
    const b = await newOrg();
    const ruleOfA = (await getOrganizationRules(handle.db, a.organizationId)).rules[1];
    if (!ruleOfA) throw new Error("seeded");
    await expect(deleteRule(handle.db, b.actor, ruleOfA.id)).rejects.toMatchObject({ code: "not_found", status: 404 });
    const servicesOfA = await listServices(handle.db, a.organizationId);
    const servicesOfB = await listServices(handle.db, b.organizationId);
    expect(servicesOfA.map((s) => s.id).some((id) => servicesOfB.some((s) => s.id === id))).toBe(false);
    const target = servicesOfA[0];
    if (!target) throw new Error("seeded");
    const adminOfB = principal(
      b.organizationId,
      ["services.read", "services.write", "services.write_any"],
      ["team-payments"],
    );
    await expect(updateService(handle.db, adminOfB, target.id, { description: "pwned" }, record)).rejects.toMatchObject(
      { status: 404 },
    );
    expect((await listServices(handle.db, a.organizationId)).find((s) => s.id === target.id)?.description).not.toBe(
      "pwned",
    );
  });

  it("checks the owner and writes in one transaction: an owner change committed meanwhile is not bypassed (review finding 8)", async () => {
    if (_name !== "postgres") return; // needs two connections: PGlite has one
    const { organizationId } = await newOrg();
    const payments = (await listServices(handle.db, organizationId)).find((s) => s.name === "payments-api");
    if (!payments) throw new Error("seeded");
    const member = principal(organizationId, ["services.read", "services.write"], ["team-payments"]);
    const [search] = await handle.db
      .select({ id: teams.id })
      .from(teams)
      .where(and(eq(teams.organizationId, organizationId), eq(teams.name, "team-search")));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    // An admin moves payments-api to team-search, and holds the transaction open while the member edits.
    const move = handle.db.transaction(async (tx) => {
      await tx.execute(sql`select id from services where id = ${payments.id} for update`);
      await tx.update(services).set({ ownerTeamId: search?.id }).where(eq(services.id, payments.id));
      await held;
    });
    await new Promise((r) => setTimeout(r, 100));
    const edit = updateService(handle.db, member, payments.id, { description: "sneaked in" }, record).catch(
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 200));
    release();
    await move;
    expect(await edit).toMatchObject({ status: 403 });
    expect((await listServices(handle.db, organizationId)).find((s) => s.id === payments.id)?.description).not.toBe(
      "sneaked in",
    );
  });

  it("lets a member edit their own team's service only, and audits the refusal", async () => {
    const { organizationId } = await newOrg();
    const services = await listServices(handle.db, organizationId);
    const payments = services.find((s) => s.name === "payments-api");
    const search = services.find((s) => s.name === "search-indexer");
    if (!payments || !search) throw new Error("seeded");
    const member = principal(organizationId, ["services.read", "services.write"], ["team-payments"]);

    const updated = await updateService(handle.db, member, payments.id, { description: "Payments, v2" }, record);
    expect(updated).toMatchObject({ description: "Payments, v2", updatedBy: "someone@example.com" });

    const err = await updateService(handle.db, member, search.id, { description: "mine now" }, record).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ status: 403, userMessage: expect.stringContaining("services.write_any") as string });
    expect(events.at(-1)).toMatchObject({
      type: "access.denied",
      details: { service: "search-indexer", missing: "services.write_any" },
    });
    await expect(
      updateService(handle.db, member, payments.id, { ownerTeam: "team-search" }, record),
    ).rejects.toMatchObject({ status: 403 });
    const viewer = principal(organizationId, ["services.read"], ["team-payments"]);
    await expect(
      updateService(handle.db, viewer, payments.id, { lifecycle: "deprecated" }, record),
    ).rejects.toMatchObject({ status: 403 });
    await expect(
      updateService(handle.db, member, "not-a-uuid", { lifecycle: "deprecated" }, record),
    ).rejects.toMatchObject({ status: 404 });
  });
});

describe.each(testDatabases())("preview before saving on %s", (_name, dbConfig) => {
  const handle = useTestDatabase(dbConfig);

  async function orgWithPeople() {
    const organizationId = await ensureOrganization(handle.db, `preview-${randomUUID().slice(0, 8)}`);
    await applySeedOnce(handle.db, organizationId, seed);
    const actor: Actor = {
      organizationId,
      connection: "acme",
      actor: "admin@example.com",
      subject: "00u-admin",
      kind: "user",
      adminGroups: ["Break Glass"],
    };
    const people: [string, string[]][] = [
      ["admin", ["Port Admins", "Everyone"]],
      ["dev", ["Engineering", "team-payments", "Everyone"]],
      ...Array.from({ length: 10 }, (_, i): [string, string[]] => [`viewer${String(i)}`, ["Everyone"]]),
    ];
    for (const [sub, groups] of people) await signInPerson(handle.db, asOrganization(organizationId), sub, groups);
    const rules = await getOrganizationRules(handle.db, organizationId);
    const byPattern = (p: string) => rules.rules.find((r) => r.pattern === p)?.id ?? "";
    return { organizationId, actor, byPattern };
  }

  it("shows who gains and loses what, with the sign-in engine, and saves exactly that", async () => {
    const { actor, byPattern } = await orgWithPeople();
    const change = {
      kind: "edit_rule" as const,
      id: byPattern("team-.*"),
      match: "regex" as const,
      pattern: "team-search",
      role: "member",
    };
    const preview = await previewRuleChange(handle.db, actor, change);
    expect(preview.losses).toEqual({ member: ["dev@example.com"] });
    expect(preview.gains).toEqual({});
    expect(preview.confirm).toBeNull(); // 1 of 12 people: under 10%
    const saved = await applyRuleChange(handle.db, actor, change, { token: preview.token });
    expect(saved.affected).toEqual([
      { userId: expect.any(String) as string, user: "dev@example.com", gained: [], lost: ["member"] },
    ]);
  });

  it("refuses a save whose preview no longer holds, and shows the new one", async () => {
    const { actor, byPattern } = await orgWithPeople();
    const change = { kind: "delete_rule" as const, id: byPattern("team-.*") };
    const preview = await previewRuleChange(handle.db, actor, change);
    await addRule(handle.db, actor, { match: "exact", pattern: "Engineering", role: "member" }); // someone else's change meanwhile
    const err = await applyRuleChange(handle.db, actor, change, { token: preview.token }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StalePreviewError);
    expect((err as StalePreviewError).preview.losses).toEqual({});
    expect(
      (await getOrganizationRules(handle.db, actor.organizationId)).rules.some((r) => r.pattern === "team-.*"),
    ).toBe(true);
  });

  it("asks for the organization's name when more than 10% lose a role, and refuses removing admin from everyone", async () => {
    const { actor, byPattern } = await orgWithPeople();
    const change = { kind: "delete_rule" as const, id: byPattern("Everyone") };
    const preview = await previewRuleChange(handle.db, actor, change);
    expect(preview.confirm).toBe("acme");
    await expect(
      applyRuleChange(handle.db, actor, change, { token: preview.token, confirmation: "yes" }),
    ).rejects.toMatchObject({ code: "confirmation_required" });
    await expect(
      applyRuleChange(handle.db, actor, change, { token: preview.token, confirmation: "acme" }),
    ).resolves.toMatchObject({ affected: expect.arrayContaining([]) as unknown[] });

    await addRule(handle.db, actor, { match: "exact", pattern: "Nobody Has This", role: "admin" });
    const away = { kind: "delete_rule" as const, id: byPattern("Port Admins") };
    const refused = await previewRuleChange(handle.db, actor, away);
    expect(refused.refusal).toContain("remove admin from everyone");
    await expect(
      applyRuleChange(handle.db, actor, away, { token: refused.token, confirmation: true }),
    ).rejects.toMatchObject({ code: "admin_removed" });
  });

  it("previews and applies a groups filter on the groups people last sent, and re-syncs their teams", async () => {
    const { organizationId, actor } = await orgWithPeople();
    const { user: dev } = await signInPerson(handle.db, asOrganization(organizationId), "dev", [
      "Engineering",
      "team-payments",
      "Everyone",
      "team-new",
    ]);
    const change = { kind: "set_groups_filter" as const, filter: { allow: ".*", block: "team-.*" } };
    const preview = await previewRuleChange(handle.db, actor, change);
    expect(preview.losses).toEqual({ member: ["dev@example.com"] });
    await applyRuleChange(handle.db, actor, change, { token: preview.token });
    expect(await getUserTeams(handle.db, dev.id)).toEqual(["Engineering", "Everyone"]);
    await expect(
      previewRuleChange(handle.db, actor, { kind: "set_groups_filter", filter: { allow: "(a+)+$(?=x)", block: null } }),
    ).rejects.toMatchObject({ code: "invalid_rule" });
    // Back to the connection's filter: the groups last seen come back as teams at once.
    await applyRuleChange(handle.db, actor, { kind: "set_groups_filter", filter: null }, { confirmation: true });
    expect(await getUserTeams(handle.db, dev.id)).toEqual(["Engineering", "Everyone", "team-new", "team-payments"]);
  });

  it("never previews or changes another organization's rule", async () => {
    const a = await orgWithPeople();
    const b = await orgWithPeople();
    await expect(
      previewRuleChange(handle.db, b.actor, { kind: "delete_rule", id: a.byPattern("team-.*") }),
    ).rejects.toMatchObject({ code: "not_found" });
  });

  it("leaves nothing half-done when the database refuses writes during a rule change", async () => {
    const { actor, byPattern } = await orgWithPeople();
    const before = await getOrganizationRules(handle.db, actor.organizationId);
    const fn = `refuse_roles_${actor.organizationId.replaceAll("-", "")}`;
    await handle.db.execute(
      sql.raw(
        `create function ${fn}() returns trigger language plpgsql as $$ begin if new.organization_id = '${actor.organizationId}' then raise exception 'read-only'; end if; return new; end $$`,
      ),
    );
    await handle.db.execute(
      sql.raw(`create trigger ${fn} before insert on user_roles for each row execute function ${fn}()`),
    );
    try {
      await expect(
        editRule(handle.db, actor, {
          id: byPattern("team-.*"),
          match: "regex",
          pattern: "team-search",
          role: "member",
        }),
      ).rejects.toThrow();
    } finally {
      await handle.db.execute(sql.raw(`drop trigger ${fn} on user_roles`));
      await handle.db.execute(sql.raw(`drop function ${fn}()`));
    }
    const after = await getOrganizationRules(handle.db, actor.organizationId);
    expect(after.version).toBe(before.version);
    expect(after.rules.map((r) => r.pattern)).toEqual(before.rules.map((r) => r.pattern));
  });
});
