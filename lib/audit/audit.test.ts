import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { testDatabases, useTestDatabase } from "../../test/support/databases";
import { ensureOrganization } from "../organizations/organizations";
import { addRule } from "../rules";
import { getOrganizationRules } from "../organizations";
import { applySeedOnce } from "../rules/apply-seed";
import { parseSeed } from "../rules/seed";
import { auditEvents, auditVerificationGuards } from "../db/schema";
import { canonicalJson, linkHash, toContent } from "./chain";
import { auditEvent, type AuditEvent, type AuditEventBase } from "./events";
import { iterateAuditEvents, listAuditEvents, MAX_BUCKETS, parseAuditQuery, signInActivity } from "./queries";
import { verifyChain, verifyChainOnce } from "./verify";
import { recordAuditEvents } from "./write";
import { createAuditWriter } from "./writer";
import { openSpool } from "./spool";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { desc, eq } from "drizzle-orm";

describe("audit content", () => {
  it("keeps hostile text storable: no NUL, bounded length, sorted keys for the hash", () => {
    const content = toContent(
      {
        type: "sign_in.failed",
        // Outside text, as hostile as it gets (the payload type is bypassed on purpose: this is what storage must survive).
        details: { description: `a\u0000b${"x".repeat(5000)}`, nested: { z: 1, a: [new Date(0)] } },
      } as unknown as AuditEvent,
      new Date(0),
    );
    expect(JSON.stringify(content.details)).not.toContain("\\u0000");
    expect(String(content.details.description).length).toBeLessThanOrEqual(2001);
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
  });

  it("hashes a link exactly as every earlier version did (stored chains verify with the same function)", () => {
    // Hashes computed before canonicalJson and cleanValue were rewritten as loops: any change to what is hashed
    // (key order, undefined, NUL, NaN, dates, nesting, the count's rounding) breaks every stored chain.
    const event = {
      type: "roles.changed",
      organizationId: "2f0c9a3e-1111-4222-8333-444455556666",
      connection: "acme",
      actor: "Okta",
      actorSub: "scim-token:t1",
      ip: "203.0.113.9",
      userAgent: "Okta SCIM Client 1.0.0",
      target: "user:0d4f",
      targetLabel: "Ünïcødé <a@example.com>",
      refs: ["req-1", "x\u0000y"],
      count: 2.7,
      details: {
        why: "Okta added team-payments; Okta removed Ops",
        gained: ["member"],
        lost: [],
        version: 3,
        nested: { z: [1, { b: null, a: true, u: undefined }], é: "\u0000", A: Number.NaN, d: new Date(0) },
        cause: "scim",
        undef: undefined,
      },
    } as unknown as AuditEvent;
    const content = toContent(event, new Date(Date.UTC(2026, 11, 2, 23, 0, 0, 123)));
    expect(linkHash("ab".repeat(32), "c", 42, content)).toBe(
      "f938b35aaa2a7efb836127c01d302ac5a988177674064711673ef7a6c9cae73a",
    );
    const bare = toContent({ type: "sign_in.failed" } as unknown as AuditEvent, new Date(0));
    expect(linkHash("ab".repeat(32), "c", 43, bare)).toBe(
      "72ae8f59af156ecd47bad31a4c15631c311932b6e9f02c90f4778db9d579e4fe",
    );
  });

  it("reads the page's filters, refusing what it does not understand with the parameter's name", () => {
    expect(parseAuditQuery(new URLSearchParams("type=sign_in.failed&since=2026-12-01&limit=10"))).toMatchObject({
      ok: true,
      query: { types: ["sign_in.failed"], limit: 10 },
    });
    expect(parseAuditQuery(new URLSearchParams("since=yesterday"))).toMatchObject({
      ok: false,
      message: expect.stringContaining("since is not a date") as string,
    });
    expect(parseAuditQuery(new URLSearchParams("type=sign_in.hacked"))).toMatchObject({
      ok: false,
      message: expect.stringContaining("type must be one of") as string,
    });
    expect(parseAuditQuery(new URLSearchParams("limit=-5"))).toMatchObject({
      ok: false,
      message: "limit must be at least 1.",
    });
    expect(parseAuditQuery(new URLSearchParams({ q: "x".repeat(10 * 1024 * 1024) }))).toMatchObject({
      ok: false,
      message: expect.stringContaining("q is too long") as string,
    });
    expect(parseAuditQuery(new URLSearchParams("since=2026-12-02&until=2026-12-01"))).toMatchObject({
      ok: false,
      message: expect.stringContaining("since is after until") as string,
    });
    expect(parseAuditQuery(new URLSearchParams("orgId=someone-else"))).toMatchObject({ ok: false });
  });
});

describe.each(testDatabases())("the audit log on %s", (_name, dbConfig) => {
  const handle = useTestDatabase(dbConfig);
  const newOrg = () => ensureOrganization(handle.db, `audit-${randomUUID().slice(0, 8)}`);
  const event = (organizationId: string, n: number, extra: Partial<AuditEventBase> = {}): AuditEvent =>
    auditEvent(
      "sign_in.failed",
      { code: "state_invalid", where: "callback", detail: String(n) },
      { organizationId, reason: "state_invalid", ...extra },
    );

  /** Runs a statement as the table's owner with the append-only triggers off: what a superuser could do. */
  async function asSuperuser(statement: ReturnType<typeof sql>) {
    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`alter table audit_events disable trigger audit_events_no_update_delete`);
      await tx.execute(statement);
      await tx.execute(sql`alter table audit_events enable trigger audit_events_no_update_delete`);
    });
  }

  it("refuses UPDATE, DELETE and TRUNCATE of the audit table", async () => {
    const org = await newOrg();
    await recordAuditEvents(handle.db, [event(org, 1)]);
    await expect(
      handle.db.execute(sql`update audit_events set actor = 'mallory' where organization_id = ${org}`),
    ).rejects.toThrow();
    await expect(handle.db.execute(sql`delete from audit_events where organization_id = ${org}`)).rejects.toThrow();
    await expect(handle.db.execute(sql`truncate audit_events`)).rejects.toThrow();
    expect((await listAuditEvents(handle.db, { organizationId: org })).events).toHaveLength(1);
  });

  it("verifies a chain that other requests append to meanwhile: what is newer than the head it read is not a break", async () => {
    const org = await newOrg();
    await recordAuditEvents(handle.db, [event(org, 1)]);
    let appending = true;
    const appends = (async () => {
      for (let i = 2; appending && i < 400; i++) await recordAuditEvents(handle.db, [event(org, i)]);
    })();
    const reports = [];
    for (let i = 0; i < 25; i++) reports.push(await verifyChain(handle.db, org));
    appending = false;
    await appends;
    expect(reports.filter((r) => !r.ok)).toEqual([]);
  });

  it("chains each organization's events, and verify names the first broken link: changed, removed, newest removed", async () => {
    const org = await newOrg();
    await recordAuditEvents(
      handle.db,
      Array.from({ length: 5 }, (_, i) => event(org, i + 1)),
    );
    await recordAuditEvents(handle.db, [event(await newOrg(), 99)]); // another chain in between changes nothing here
    await recordAuditEvents(handle.db, [event(org, 6)]);
    expect(await verifyChain(handle.db, org)).toMatchObject({ ok: true, checked: 6, broken: null, head: { seq: 6 } });

    await asSuperuser(sql`update audit_events set actor = 'mallory' where organization_id = ${org} and seq = 3`);
    expect(await verifyChain(handle.db, org)).toMatchObject({
      ok: false,
      broken: { seq: 3, reason: expect.stringContaining("changed after it was written") as string },
    });
    await asSuperuser(sql`delete from audit_events where organization_id = ${org} and seq = 3`);
    expect(await verifyChain(handle.db, org)).toMatchObject({
      ok: false,
      broken: { seq: 3, reason: expect.stringContaining("missing") as string },
    });

    const other = await newOrg();
    await recordAuditEvents(handle.db, [event(other, 1), event(other, 2)]);
    await asSuperuser(sql`delete from audit_events where organization_id = ${other} and seq = 2`);
    expect(await verifyChain(handle.db, other)).toMatchObject({
      ok: false,
      broken: { seq: 2, reason: expect.stringContaining("newest events were deleted") as string },
    });
  });

  it("refuses an event without its chain link, and a chain head set back or deleted (review finding 10)", async () => {
    const org = await newOrg();
    await recordAuditEvents(handle.db, [event(org, 1), event(org, 2)]);
    // The database's own message (drizzle wraps the driver's error).
    const refusal = (statement: ReturnType<typeof sql>) =>
      handle.db.execute(statement).then(
        () => "accepted",
        (err: unknown) => String((err as { cause?: { message?: string } }).cause?.message ?? err),
      );
    expect(
      await refusal(
        sql`insert into audit_events (organization_id, type, details) values (${org}, 'sign_in.failed', '{}'::jsonb)`,
      ),
    ).toMatch(/audit_events_chained/);
    expect(await refusal(sql`update audit_chain_heads set seq = seq - 1 where chain = ${org}`)).toMatch(
      /only moves forward/,
    );
    expect(await refusal(sql`delete from audit_chain_heads where chain = ${org}`)).toMatch(/only moves forward/);
  });

  it("flags events without a hash added after the chain began (review finding 10)", async () => {
    const org = await newOrg();
    await recordAuditEvents(handle.db, [event(org, 1)]);
    // What only someone bypassing porter could do: drop the constraint's protection for one insert.
    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`alter table audit_events drop constraint audit_events_chained`);
      await tx.execute(
        sql`insert into audit_events (organization_id, type, details) values (${org}, 'sign_in.failed', '{}'::jsonb)`,
      );
      await tx.execute(
        sql`alter table audit_events add constraint audit_events_chained check (hash is not null and seq is not null) not valid`,
      );
    });
    expect(await verifyChain(handle.db, org)).toMatchObject({
      ok: false,
      broken: { reason: expect.stringContaining("inserted outside porter") as string },
    });
  });

  it("keeps every event through database failures (retried in order), and aggregates a flood", async () => {
    const org = await newOrg();
    let failures = 0;
    const flaky = () => {
      // The first 7 attempts fail as a database would when it restarts.
      if (failures < 7) {
        failures++;
        return Promise.reject(new Error("connection terminated"));
      }
      return Promise.resolve(handle.db);
    };
    const writer = createAuditWriter({ db: flaky, retryMs: 5, maxRetryMs: 20 });
    for (let i = 1; i <= 20; i++) await writer.write(event(org, i));
    expect(writer.pending).toBeGreaterThan(0);
    for (let i = 0; i < 100 && writer.pending > 0; i++) await new Promise((r) => setTimeout(r, 10));
    await writer.flush();
    const written = (await listAuditEvents(handle.db, { organizationId: org }, { limit: 200 })).events;
    expect(written.map((e) => Number(e.details.detail))).toEqual(Array.from({ length: 20 }, (_, i) => 20 - i));

    let t = 1_000_000;
    const flood = createAuditWriter({ db: () => Promise.resolve(handle.db), now: () => t, windowMs: 60_000 });
    const floodOrg = await newOrg();
    for (let i = 0; i < 500; i++)
      await flood.writeAggregated(event(floodOrg, i, { ip: "203.0.113.9", refs: [randomUUID()] }));
    await flood.writeAggregated(event(floodOrg, 0, { ip: "198.51.100.1", refs: [randomUUID()] }));
    t += 61_000;
    await flood.flush();
    flood.stop();
    const rows = (await listAuditEvents(handle.db, { organizationId: floodOrg }, { limit: 200 })).events;
    expect(rows.map((r) => [r.ip, r.count]).sort()).toEqual([
      ["198.51.100.1", 1],
      ["203.0.113.9", 1],
      ["203.0.113.9", 499],
    ]);
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(501);
    expect(await verifyChain(handle.db, floodOrg)).toMatchObject({ ok: true, checked: 3 });
  });

  const outage = () =>
    Promise.reject(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }));
  const spoolPath = () => path.join(mkdtempSync(path.join(tmpdir(), "porter-audit-")), "audit-spool", "eu-1.jsonl");
  const details = async (org: string) =>
    (await listAuditEvents(handle.db, { organizationId: org }, { limit: 500 })).events
      .map((e) => Number(e.details.detail))
      .reverse();

  it("keeps events the database could not take in the spool; the next process writes them once, in order", async () => {
    const org = await newOrg();
    const file = spoolPath();
    const down = createAuditWriter({ db: outage, spool: () => openSpool(file), retryMs: 60_000 });
    for (let i = 1; i <= 20; i++) await down.write(event(org, i));
    down.stop();
    expect(await openSpool(file).load()).toHaveLength(20);
    expect(await details(org)).toEqual([]);

    const next = createAuditWriter({ db: () => Promise.resolve(handle.db), spool: () => openSpool(file) });
    await next.recover();
    expect(await details(org)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await openSpool(file).load()).toEqual([]);

    // A process killed after the database took an event but before its spool started over replays it
    // again: the event's receipt makes that a no-op.
    const crashed = createAuditWriter({ db: outage, spool: () => openSpool(file), retryMs: 60_000 });
    await crashed.write(event(org, 21));
    crashed.stop();
    const [spooled] = await openSpool(file).load();
    if (!spooled) throw new Error("event 21 was not spooled");
    await createAuditWriter({ db: () => Promise.resolve(handle.db), spool: () => openSpool(file) }).recover();
    await openSpool(file).append(spooled);
    await createAuditWriter({ db: () => Promise.resolve(handle.db), spool: () => openSpool(file) }).recover();
    expect(await details(org)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  });

  it("sets aside an event the database refuses while reachable, and writes the ones behind it (review)", async () => {
    const org = await newOrg();
    const file = spoolPath();
    // The database answers, but refuses event 3 as it would a row it cannot store (the transaction rolls back).
    const db = handle.db;
    const refusing: typeof db = Object.create(db) as typeof db;
    refusing.transaction = (work) =>
      db.transaction(async (tx) => {
        const result = await work(tx);
        const [last] = await tx.select().from(auditEvents).orderBy(desc(auditEvents.id)).limit(1);
        if (last?.details.detail === "3") throw new Error("value too long for type character varying(10)");
        return result;
      });
    const refusesThree = () => Promise.resolve(refusing);
    const letters: number[] = [];
    const writer = createAuditWriter({
      db: refusesThree,
      spool: () => openSpool(file),
      retryMs: 2,
      maxRetryMs: 5,
      maxAttempts: 3,
      onDeadLetter: (_err, e, attempts) => letters.push(attempts, Number((e.details as { detail?: string }).detail)),
    });
    for (let i = 1; i <= 6; i++) await writer.write(event(org, i));
    for (let i = 0; i < 200 && writer.pending > 0; i++) await new Promise((r) => setTimeout(r, 5));
    await writer.flush();
    writer.stop();
    expect(letters).toEqual([3, 3]);
    expect(writer.deadLettered).toBe(1);
    const rows = (await listAuditEvents(handle.db, { organizationId: org }, { limit: 50 })).events;
    expect(rows.filter((r) => r.type === "sign_in.failed").map((r) => Number(r.details.detail))).toEqual([
      6, 5, 4, 2, 1,
    ]);
    expect(rows.find((r) => r.type === "audit.undeliverable")?.details).toMatchObject({
      eventType: "sign_in.failed",
      attempts: 3,
      error: "value too long for type character varying(10)",
    });
    const dead = readFileSync(file.replace(/\.jsonl$/, ".dead.jsonl"), "utf8")
      .trim()
      .split("\n");
    expect(dead.map((line) => (JSON.parse(line) as { event: AuditEvent }).event.details)).toMatchObject([
      { detail: "3" },
    ]);
    expect(await verifyChain(handle.db, org)).toMatchObject({ ok: true, checked: 6 });
  });

  it("pages by keyset, finds an event by its reference id, and never shows another organization's", async () => {
    const a = await newOrg();
    const b = await newOrg();
    const ref = randomUUID();
    await recordAuditEvents(handle.db, [
      ...Array.from({ length: 7 }, (_, i) => event(a, i)),
      event(a, 100, { refs: [ref] }),
      event(b, 0, { refs: [ref] }),
    ]);
    const first = await listAuditEvents(handle.db, { organizationId: a }, { limit: 3 });
    expect(first.events.map((e) => Number(e.details.detail))).toEqual([100, 6, 5]);
    const second = await listAuditEvents(handle.db, { organizationId: a }, { limit: 3, before: first.nextBefore ?? 0 });
    expect(second.events.map((e) => Number(e.details.detail))).toEqual([4, 3, 2]);
    const found = await listAuditEvents(handle.db, { organizationId: a, q: ref });
    expect(found.events.map((e) => [e.organizationId, Number(e.details.detail)])).toEqual([[a, 100]]);
    const exported: number[] = [];
    for await (const batch of iterateAuditEvents(handle.db, { organizationId: a }, 2))
      exported.push(...batch.map((e) => Number(e.details.detail)));
    expect(exported).toEqual([100, 6, 5, 4, 3, 2, 1, 0]);
  });

  it("draws a range from year 1 to 9999 over the data's own span, in at most MAX_BUCKETS buckets (review finding 5)", async () => {
    const org = await newOrg();
    const succeeded = (details: Partial<AuditEventBase> = {}) =>
      auditEvent(
        "sign_in.succeeded",
        {
          rawGroupCount: 1,
          keptGroupCount: 1,
          possiblyTruncated: false,
          groupsSource: "id_token",
          roles: [],
          joinedTeams: [],
          leftTeams: [],
        },
        { organizationId: org, ...details },
      );
    await recordAuditEvents(handle.db, [succeeded(), succeeded(), event(org, 1)]);
    const wide = await signInActivity(
      handle.db,
      org,
      new Date("0001-01-01T00:00:00Z"),
      new Date("9999-12-31T00:00:00Z"),
    );
    expect(wide.buckets.length).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(wide.buckets.reduce((n, b) => n + b.succeeded, 0)).toBe(2);
    expect(wide.buckets.reduce((n, b) => n + b.failed, 0)).toBe(1);
    // Nothing in the range: at most two days of hours, not millennia of them.
    const empty = await signInActivity(
      handle.db,
      await newOrg(),
      new Date("0001-01-01T00:00:00Z"),
      new Date("9999-12-31T00:00:00Z"),
    );
    expect(empty.buckets.length).toBeLessThanOrEqual(49);
  });

  it("runs one chain verification at a time per organization (review finding 5)", async () => {
    const org = await newOrg();
    await recordAuditEvents(
      handle.db,
      Array.from({ length: 30 }, (_, i) => event(org, i)),
    );
    // Another node is verifying this chain right now: nothing is read here.
    await handle.db.insert(auditVerificationGuards).values({ chain: org, startedAt: new Date() });
    expect(await verifyChainOnce(handle.db, org)).toBeNull();
    // Once it finished, the next one runs, and frees the guard for the one after.
    await handle.db
      .update(auditVerificationGuards)
      .set({ finishedAt: new Date() })
      .where(eq(auditVerificationGuards.chain, org));
    expect(await verifyChainOnce(handle.db, org)).toMatchObject({ ok: true, checked: 30 });
    expect(await verifyChainOnce(handle.db, org)).toMatchObject({ ok: true, checked: 30 });
    // A node that died mid-verification stops blocking after ten minutes.
    await handle.db
      .update(auditVerificationGuards)
      .set({ startedAt: new Date(Date.now() - 11 * 60_000), finishedAt: null })
      .where(eq(auditVerificationGuards.chain, org));
    expect(await verifyChainOnce(handle.db, org)).toMatchObject({ ok: true });
  });

  it("commits a rule change with its audit events, or neither", async () => {
    const org = await newOrg();
    await applySeedOnce(
      handle.db,
      org,
      parseSeed(JSON.stringify({ rules: [{ match: "exact", pattern: "Port Admins", role: "admin" }] }), "test"),
    );
    const actor = {
      organizationId: org,
      connection: "acme",
      actor: "admin@example.com",
      subject: "00u-admin",
      kind: "user" as const,
      adminGroups: [],
    };
    await addRule(handle.db, actor, { match: "exact", pattern: "Everyone", role: "viewer" });
    const changed = await handle.db.select().from(auditEvents).where(eq(auditEvents.organizationId, org));
    expect(changed.map((e) => [e.type, e.actor, e.actorSub])).toEqual([
      ["rules.changed", "admin@example.com", "00u-admin"],
    ]);

    // The database refuses audit writes for this organization: the rule change must not happen either.
    const fn = `refuse_audit_${org.replaceAll("-", "")}`;
    await handle.db.execute(
      sql.raw(
        `create function ${fn}() returns trigger language plpgsql as $$ begin if new.organization_id = '${org}' then raise exception 'disk full'; end if; return new; end $$`,
      ),
    );
    await handle.db.execute(
      sql.raw(`create trigger ${fn} before insert on audit_events for each row execute function ${fn}()`),
    );
    try {
      await expect(
        addRule(handle.db, actor, { match: "exact", pattern: "Engineering", role: "member" }),
      ).rejects.toThrow();
    } finally {
      await handle.db.execute(sql.raw(`drop trigger ${fn} on audit_events`));
      await handle.db.execute(sql.raw(`drop function ${fn}()`));
    }
    const rules = await getOrganizationRules(handle.db, org);
    expect(rules.rules.map((r) => r.pattern).sort()).toEqual(["Everyone", "Port Admins"]);
    expect(await verifyChain(handle.db, org)).toMatchObject({ ok: true, checked: 1 });
  });
});
