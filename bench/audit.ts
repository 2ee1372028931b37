/**
 * The audit console at scale: 100,000 people and 1,000,000 audit events (sizes: BENCH_USERS,
 * BENCH_AUDIT_EVENTS), on embedded PGlite and, with BENCH_DATABASE_URL (a scratch database), on
 * PostgreSQL. Fixtures come from generate_series (people, teams, memberships, roles) and batched
 * unnest inserts (events, whose hash chain is computed as porter computes it).
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { applySeedOnce } from "../lib/rules/apply-seed";
import { previewRuleChange, type Actor } from "../lib/rules/manage-rules";
import { ensureOrganization } from "../lib/organizations/organizations";
import { getOrganizationRules, toRuleSetSpec } from "../lib/organizations/queries";
import { listUsersWithTeams } from "../lib/people/queries";
import { parseSeed } from "../lib/rules/seed";
import { listUsersPage } from "../lib/people/directory";
import { GENESIS_HASH, linkHash, toContent } from "../lib/audit/chain";
import { auditEvent, type AuditEvent } from "../lib/audit/events";
import { exportStream } from "../lib/audit/export";
import { listAuditEvents } from "../lib/audit/queries";
import { verifyChain } from "../lib/audit/verify";
import type { DatabaseConfig } from "../lib/config";
import { openDatabase, type Db } from "../lib/db/client";
import { auditChainHeads, auditEvents } from "../lib/db/schema";
import { compileRuleSet, previewChange } from "../lib/rbac";
import { line, ratio, summarize, timeEach } from "./stats";

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);
const TEAMS = 500;
const ms = (v: number) => `${v.toFixed(2)} ms`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

const seed = parseSeed(
  JSON.stringify({
    rules: [
      { match: "exact", pattern: "Port Admins", role: "admin" },
      { match: "regex", pattern: "team-.*", role: "member" },
      { match: "exact", pattern: "Everyone", role: "viewer" },
      ...Array.from({ length: 200 }, (_, i) => ({ match: "exact", pattern: `team-${String(i * 2)}`, role: "viewer" })),
    ],
  }),
  "bench",
);

async function fixtures(db: Db, organizationId: string): Promise<string[]> {
  await applySeedOnce(db, organizationId, seed);
  await db.execute(sql`insert into users (organization_id, sub, email, name, last_sign_in_at)
    select ${organizationId}::uuid, '00u' || lpad(i::text, 7, '0'), 'user' || lpad(i::text, 7, '0') || '@example.com', 'User ' || i, now() - (i || ' seconds')::interval
    from generate_series(1, ${USERS}) i`);
  await db.execute(
    sql`insert into teams (organization_id, name) select ${organizationId}::uuid, 'team-' || i from generate_series(0, ${TEAMS - 1}) i on conflict do nothing`,
  );
  await db.execute(
    sql`insert into teams (organization_id, name) values (${organizationId}::uuid, 'Everyone'), (${organizationId}::uuid, 'Port Admins') on conflict do nothing`,
  );
  await db.execute(sql`insert into memberships (team_id, user_id, organization_id)
    select t.id, u.id, u.organization_id from users u join teams t on t.organization_id = u.organization_id
    where u.organization_id = ${organizationId}::uuid and (t.name = 'Everyone' or t.name = 'team-' || (abs(hashtext(u.sub)) % ${TEAMS}) or t.name = 'team-' || (abs(hashtext(u.sub || 'x')) % ${TEAMS})
      or (t.name = 'Port Admins' and u.sub like '%00'))
    on conflict do nothing`);
  // What the groups source sent at each person's last sign-in (porter records it from the claim).
  await db.execute(
    sql`update users u set source_groups = (select array_agg(t.name order by t.name) from memberships m join teams t on t.id = m.team_id where m.user_id = u.id) where u.organization_id = ${organizationId}::uuid`,
  );
  await db.execute(sql`insert into user_roles (user_id, organization_id, role, via, rules_version)
    select u.id, u.organization_id, r.role, jsonb_build_array(jsonb_build_object('group', r.grp, 'rule', 'bench', 'ruleId', 'bench')), 1
    from users u cross join (values ('member', 'team-x'), ('viewer', 'Everyone')) as r(role, grp) where u.organization_id = ${organizationId}::uuid`);
  // What a node's statistics refresh (PGlite: lib/db/statistics.ts) or autovacuum does within a minute.
  await db.execute(sql`analyze`);

  // The audit events: one chain, oldest first over the last 30 days, hashed as porter hashes them.
  const refs: string[] = [];
  const start = Date.now() - 30 * 86_400_000;
  const step = (30 * 86_400_000) / EVENTS;
  const reasons = ["state_invalid", "access_denied", "too_many_groups", "invalid_client", "user_not_assigned"] as const;
  let prev = GENESIS_HASH;
  const BATCH = 5_000;
  for (let from = 0; from < EVENTS; from += BATCH) {
    const cols: Record<string, (string | number | null)[]> = {
      at: [],
      type: [],
      actor: [],
      actor_sub: [],
      ip: [],
      target: [],
      outcome: [],
      reason: [],
      ref: [],
      details: [],
      seq: [],
      prev: [],
      hash: [],
    };
    for (let i = from; i < Math.min(EVENTS, from + BATCH); i++) {
      const n = (i * 7919) % USERS;
      const failed = i % 5 === 0;
      const ref = failed ? randomUUID() : null;
      if (ref && refs.length < 1000 && i % 997 === 0) refs.push(ref);
      const base = {
        organizationId,
        connection: "bench",
        actor: failed ? null : `user${String(n).padStart(7, "0")}@example.com`,
        actorSub: failed ? null : `00u${String(n).padStart(7, "0")}`,
        ip: `10.${String(n % 250)}.${String(i % 250)}.1`,
        target: failed ? null : `user:${String(n)}`,
        reason: failed ? (reasons[i % reasons.length] ?? null) : null,
        refs: ref ? [ref] : [],
      };
      const event: AuditEvent = failed
        ? auditEvent(
            "sign_in.failed",
            { code: reasons[i % reasons.length] ?? "state_invalid", where: "callback" },
            base,
          )
        : i % 19 === 0
          ? auditEvent("roles.changed", { cause: "sign_in", gained: ["member"], lost: [] }, base)
          : auditEvent(
              "sign_in.succeeded",
              {
                rawGroupCount: 3,
                keptGroupCount: 3,
                possiblyTruncated: false,
                groupsSource: "id_token",
                roles: ["member", "viewer"],
                joinedTeams: [],
                leftTeams: [],
              },
              base,
            );
      const content = toContent(event, new Date(Math.floor(start + i * step)));
      const seq = i + 1;
      const hash = linkHash(prev, organizationId, seq, content);
      cols.at?.push(content.at.toISOString());
      cols.type?.push(content.type);
      cols.actor?.push(content.actor);
      cols.actor_sub?.push(content.actorSub);
      cols.ip?.push(content.ip);
      cols.target?.push(content.target);
      cols.outcome?.push(content.outcome);
      cols.reason?.push(content.reason);
      cols.ref?.push(ref ?? "");
      cols.details?.push(JSON.stringify(content.details));
      cols.seq?.push(seq);
      cols.prev?.push(prev);
      cols.hash?.push(hash);
      prev = hash;
    }
    const arr = (name: string, type: string) => sql`${sql.param(cols[name])}::${sql.raw(type)}`;
    await db.execute(sql`insert into audit_events (organization_id, connection, at, type, actor, actor_sub, ip, target, outcome, reason, refs, details, count, chain, seq, prev_hash, hash)
      select ${organizationId}::uuid, 'bench', at, type, actor, actor_sub, ip, target, outcome, reason, case when ref = '' then '{}'::text[] else array[ref] end, details::jsonb, 1, ${organizationId}, seq, prev, hash
      from unnest(${arr("at", "timestamptz[]")}, ${arr("type", "text[]")}, ${arr("actor", "text[]")}, ${arr("actor_sub", "text[]")}, ${arr("ip", "text[]")}, ${arr("target", "text[]")},
        ${arr("outcome", "text[]")}, ${arr("reason", "text[]")}, ${arr("ref", "text[]")}, ${arr("details", "text[]")}, ${arr("seq", "bigint[]")}, ${arr("prev", "text[]")}, ${arr("hash", "text[]")})
        as t(at, type, actor, actor_sub, ip, target, outcome, reason, ref, details, seq, prev, hash)`);
  }
  await db.insert(auditChainHeads).values({ chain: organizationId, seq: EVENTS, hash: prev });
  // What a node's statistics refresh (PGlite: lib/db/statistics.ts) or autovacuum does within a minute.
  await db.execute(sql`analyze`);
  return refs;
}

async function timed(n: number, fn: (i: number) => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  return summarize(await timeEach(n, fn));
}

async function benchOne(name: string, config: DatabaseConfig): Promise<void> {
  const handle = await openDatabase(config);
  const db = handle.db;
  try {
    const organizationId = await ensureOrganization(db, `bench-${randomUUID().slice(0, 8)}`);
    const t0 = performance.now();
    const refs = await fixtures(db, organizationId);
    console.log(
      `\nAudit console on ${name}: ${USERS.toLocaleString("en")} people, ${EVENTS.toLocaleString("en")} audit events (fixtures built in ${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );

    // Users page: search, role and group filters, deep keyset pages. Baseline: the same page by OFFSET.
    const prefixes = Array.from(
      { length: 100 },
      (_, i) =>
        `user${String((i * 937) % USERS)
          .padStart(7, "0")
          .slice(0, 5)}`,
    );
    const users = await timed(200, (i) =>
      listUsersPage(db, organizationId, {
        limit: 50,
        ...(i % 4 === 0 ? { q: prefixes[i % prefixes.length] } : {}),
        ...(i % 4 === 1 ? { role: "member" } : {}),
        ...(i % 4 === 2 ? { group: `team-${String(i % TEAMS)}` } : {}),
        ...(i % 4 === 3
          ? {
              after: {
                email: `user${String((i * 4099) % USERS).padStart(7, "0")}@example.com`,
                id: "00000000-0000-0000-0000-000000000000",
              },
            }
          : {}),
      }),
    );
    const offset = await timed(20, (i) =>
      db.execute(
        sql`select id, email from users where organization_id = ${organizationId}::uuid order by coalesce(email, ''), id offset ${Math.floor(USERS * 0.9) - i} limit 50`,
      ),
    );
    line(
      "users page query p50",
      ms(users.p50),
      `baseline OFFSET page at 90% p50 ${ms(offset.p50)} -> ${ratio(offset.p50 / users.p50)}`,
    );
    line(
      "users page query p99",
      ms(users.p99),
      `baseline p99 ${ms(offset.p99)}; target <= 100 ms: ${users.p99 <= 100 ? "met" : "MISSED"}`,
    );

    // Audit log: type + time range, reference search, actor. Baseline: the same type filter by OFFSET at depth.
    const since = new Date(Date.now() - 7 * 86_400_000);
    const audit = await timed(200, (i) =>
      listAuditEvents(
        db,
        i % 3 === 0
          ? { organizationId, types: ["sign_in.failed"], since }
          : i % 3 === 1
            ? { organizationId, q: refs[i % refs.length] ?? randomUUID() }
            : { organizationId, actor: `user${String((i * 31) % USERS).padStart(7, "0")}@example.com` },
        { limit: 50 },
      ),
    );
    const auditOffset = await timed(10, () =>
      db.execute(
        sql`select id from audit_events where organization_id = ${organizationId}::uuid and type = 'sign_in.failed' order by id desc offset ${Math.floor(EVENTS / 10)} limit 50`,
      ),
    );
    line(
      "filtered audit query p50",
      ms(audit.p50),
      `baseline OFFSET at depth p50 ${ms(auditOffset.p50)} -> ${ratio(auditOffset.p50 / audit.p50)}`,
    );
    line(
      "filtered audit query p99",
      ms(audit.p99),
      `baseline p99 ${ms(auditOffset.p99)}; target <= 100 ms: ${audit.p99 <= 100 ? "met" : "MISSED"}`,
    );

    // Preview of one rule change over every person. Baseline: re-resolving each person naively.
    const rules = await getOrganizationRules(db, organizationId);
    const ruleId = rules.rules.find((r) => r.pattern === "team-.*")?.id ?? "";
    const actor: Actor = {
      organizationId,
      connection: "bench",
      actor: "bench",
      subject: "bench",
      kind: "service",
      adminGroups: [],
    };
    const change = {
      kind: "edit_rule" as const,
      id: ruleId,
      match: "regex" as const,
      pattern: "team-1.*",
      role: "member",
    };
    const full = performance.now();
    const preview = await previewRuleChange(db, actor, change);
    const fullMs = performance.now() - full;
    const people = (await listUsersWithTeams(db, organizationId, "claim")).map((u) => ({
      id: u.id,
      label: u.email ?? u.sub,
      teams: u.sourceGroups ?? u.teams,
    }));
    const current = compileRuleSet(toRuleSetSpec(rules, { adminGroups: [] }));
    const next = compileRuleSet({
      ...toRuleSetSpec(rules, { adminGroups: [] }),
      rules: rules.rules.map((r) => (r.id === ruleId ? { ...r, pattern: "team-1.*" } : r)),
    });
    const diffStart = performance.now();
    previewChange(people, current, next);
    const diffMs = performance.now() - diffStart;
    const naiveRules = (set: typeof rules.rules) =>
      set.map((r) => ({ ...r, re: r.match === "regex" ? new RegExp(`^(?:${r.pattern})$`) : null }));
    const before = naiveRules(rules.rules);
    const after = naiveRules(rules.rules.map((r) => (r.id === ruleId ? { ...r, pattern: "team-1.*" } : r)));
    const naiveRoles = (teams: readonly string[], set: ReturnType<typeof naiveRules>) =>
      new Set(set.filter((r) => teams.some((g) => (r.re ? r.re.test(g) : r.pattern === g))).map((r) => r.role));
    const naiveStart = performance.now();
    let naiveAffected = 0;
    for (const p of people) {
      const a = naiveRoles(p.teams, before);
      const b = naiveRoles(p.teams, after);
      if (a.size !== b.size || [...a].some((r) => !b.has(r))) naiveAffected++;
    }
    const naiveMs = performance.now() - naiveStart;
    line(
      "preview of one rule change (in memory)",
      ms(diffMs),
      `baseline naive re-resolve ${ms(naiveMs)} -> ${ratio(naiveMs / diffMs)} faster (${String(preview.affected.length)} = ${String(naiveAffected)} affected)`,
    );
    line(
      "preview incl. reading everyone's teams",
      ms(fullMs),
      `target <= 1000 ms: ${fullMs <= 1000 ? "met" : "MISSED"}`,
    );

    // Export of every event, streamed: rows/s and peak RSS growth. Baseline: 200,000 rows read at once.
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    const heap0 = process.memoryUsage().heapUsed;
    let peak = rss0;
    let heapPeak = heap0;
    const sample = () => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.rss);
      heapPeak = Math.max(heapPeak, m.heapUsed);
    };
    const sampler = setInterval(sample, 50);
    const exportStart = performance.now();
    let bytes = 0;
    const reader = exportStream(db, { organizationId }, "csv").getReader();
    let chunks = 0;
    let liveHeapPeak = heap0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      sample();
      // Every 25 batches, what is really held (after a collection): the streamed export keeps one batch.
      if (++chunks % 25 === 0 && global.gc) {
        global.gc();
        liveHeapPeak = Math.max(liveHeapPeak, process.memoryUsage().heapUsed);
      }
    }
    const exportS = (performance.now() - exportStart) / 1000;
    clearInterval(sampler);
    const exportGrowth = peak - rss0;
    global.gc?.();
    const heap1 = process.memoryUsage().heapUsed;
    const whole = await db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.organizationId, organizationId))
      .limit(200_000);
    const wholeGrowth = process.memoryUsage().heapUsed - heap1;
    line(
      "export CSV (streamed)",
      `${Math.round(EVENTS / exportS).toLocaleString("en")} rows/s`,
      `${mb(bytes)} in ${exportS.toFixed(1)} s`,
    );
    line(
      "export peak RSS growth",
      mb(exportGrowth),
      `live JS heap growth ${mb(liveHeapPeak - heap0)} (peak incl. garbage ${mb(heapPeak - heap0)}); target < 100 MB: ${exportGrowth < 100 * 1024 * 1024 ? "met" : "MISSED"}${name.includes("PGlite") ? " (RSS includes the embedded database's own memory)" : ""}`,
    );
    line(
      "baseline: 200,000 rows read at once",
      mb(wholeGrowth),
      `JS heap growth for ${String(whole.length)} rows (the whole table would be ${String(Math.round(EVENTS / 200_000))}x that)`,
    );

    // Verify the whole chain. Baseline: SHA-256 alone over the same number of links.
    const report = await verifyChain(db, organizationId);
    const { createHash } = await import("node:crypto");
    const hashStart = performance.now();
    for (let i = 0; i < Math.min(EVENTS, 200_000); i++)
      createHash("sha256")
        .update(`${GENESIS_HASH}\n{"at":"2026-12-01T00:00:00.000Z","type":"sign_in.succeeded","n":${String(i)}}`)
        .digest("hex");
    const hashRate = Math.min(EVENTS, 200_000) / ((performance.now() - hashStart) / 1000);
    line(
      "audit verify",
      `${Math.round(report.checked / (report.durationMs / 1000)).toLocaleString("en")} rows/s`,
      `${report.ok ? "chain holds" : `BROKEN at ${String(report.broken?.seq)}`}, ${String(report.checked)} links in ${(report.durationMs / 1000).toFixed(1)} s; baseline bare SHA-256 ${Math.round(hashRate).toLocaleString("en")}/s`,
    );
  } finally {
    await handle.close();
  }
}

export async function benchAudit(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "porter-bench-"));
  try {
    await benchOne("embedded PGlite", { kind: "pglite", dataDir: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const url = process.env.BENCH_DATABASE_URL;
  if (url) await benchOne("PostgreSQL", { kind: "postgres", url });
  else console.log("  (PostgreSQL: set BENCH_DATABASE_URL to a scratch database to run the same bench there)");
}
