/**
 * SCIM (issue 19): request latency on the real demo over HTTP, Push Groups at scale, a provisioning burst,
 * and the users page and access review with 100,000 provisioned people. Every figure next to a baseline
 * measured in the same run. In-process parts run on embedded PGlite (and on PostgreSQL too with
 * BENCH_DATABASE_URL, a scratch database).
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { DatabaseConfig } from "../lib/config";
import { openDatabase, type Db } from "../lib/db/client";
import { ensureOrganization, type Organization } from "../lib/organizations/organizations";
import { iterateAccessReview, listUsersPage } from "../lib/people/directory";
import { handleScim, type ScimMethod } from "../lib/provisioning/router";
import type { ScimScope } from "../lib/provisioning/scope";
import { applySeedOnce } from "../lib/rules/apply-seed";
import { readSeedFile } from "../lib/rules/seed";
import { atLeast, atMost, line, median, ratio, summarize, timeEach } from "./stats";
import { profileInProcess } from "./profile";
import { startDemoScript, stopProcess } from "./support";

const APP = "http://localhost:3500";
const TOKEN = { authorization: "Bearer porter-demo-scim-token" };
const ms = (v: number) => `${v.toFixed(2)} ms`;
const PUSH_MEMBERS = Number(process.env.BENCH_SCIM_MEMBERS ?? 10_000);
const PEOPLE = Number(process.env.BENCH_USERS ?? 100_000);
const IN_FLIGHT = Number(process.env.BENCH_SCIM_IN_FLIGHT ?? 8);
/** Each throughput figure is the median of this many runs on fresh data (the machine's speed varies by a third). */
const RUNS = Number(process.env.BENCH_SCIM_RUNS ?? 3);
/** "runs a, b, c (median)": every run of a figure, in the order they ran. */
const runsOf = (values: readonly number[], show: (v: number) => string) =>
  `runs ${values.map(show).join(", ")}${values.length > 1 ? " (median shown)" : ""}`;
const patch = (...Operations: unknown[]) => ({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations,
});

/** Okta's requests against the demo's acme-scim, sequentially, next to porter's cheapest route on the same server. */
async function latencyOnTheDemo(): Promise<void> {
  const demo = await startDemoScript("demo/start.ts", [
    "--app-port",
    "3500",
    "--us-port",
    "3501",
    "--idp-port",
    "4500",
    "--data-dir",
    "./data/bench-scim",
    "--fresh",
  ]);
  try {
    const base = `${APP}/scim/v2/acme-scim`;
    const get = async (url: string) => {
      const res = await fetch(url, { headers: TOKEN });
      await res.text();
      if (!res.ok) throw new Error(`${url}: HTTP ${String(res.status)}`);
    };
    const send = async (method: string, url: string, body: unknown) => {
      const res = await fetch(url, {
        method,
        headers: { ...TOKEN, "content-type": "application/scim+json" },
        body: JSON.stringify(body),
      });
      await res.text();
      if (!res.ok) throw new Error(`${method} ${url}: HTTP ${String(res.status)}`);
    };
    const list = (await (await fetch(`${base}/Users?count=1`, { headers: TOKEN })).json()) as {
      Resources: { id: string }[];
    };
    const groups = (await (
      await fetch(`${base}/Groups?count=10&excludedAttributes=members`, { headers: TOKEN })
    ).json()) as {
      Resources: { id: string; displayName: string }[];
    };
    const user = list.Resources[0]?.id ?? "";
    const group = groups.Resources.find((g) => g.displayName === "Engineering") ?? groups.Resources[0];
    if (!user || !group) throw new Error("the demo provisioned nobody");
    const N = 300;
    for (let i = 0; i < 30; i++) await get(`${APP}/api/health/live`); // warm it, as each path below
    const baseline = summarize(await timeEach(N, () => get(`${APP}/api/health/live`)));
    console.log(`\nSCIM on the demo (acme-scim, HTTP, sequential, ${String(N)} requests each)`);
    line("baseline GET /api/health/live p50", ms(baseline.p50));
    // The tail is mostly the machine's (a 2-CPU VM): the cheapest route's p99 is the baseline of each p99.
    line("baseline GET /api/health/live p99", ms(baseline.p99));
    const measure = async (label: string, run: (i: number) => Promise<unknown>) => {
      // The same 30 unmeasured requests first on every path (their first ones compile the route's code).
      for (let i = 0; i < 30; i++) await run(i);
      const s = summarize(await timeEach(N, run));
      line(`${label} p50`, ms(s.p50), `baseline health p50 ${ms(baseline.p50)}: ${ratio(s.p50 / baseline.p50)}`);
      line(
        `${label} p99`,
        ms(s.p99),
        `baseline health p99 ${ms(baseline.p99)}: ${ratio(s.p99 / baseline.p99)}; target under 20 ms: ${atMost(s.p99, 20, "ms")} (Okta fails a SPEC step above 400-1000 ms)`,
      );
    };
    await measure("GET /Users?filter=userName eq", () =>
      get(`${base}/Users?filter=${encodeURIComponent('userName eq "dev@example.com"')}&startIndex=1&count=100`),
    );
    await measure("GET /Users/{id}", () => get(`${base}/Users/${user}`));
    await measure("PATCH /Groups/{id} add+remove", (i) =>
      send(
        "PATCH",
        `${base}/Groups/${group.id}`,
        patch(
          { op: "replace", value: { id: group.id, displayName: group.displayName } },
          i % 2 === 0
            ? { op: "add", path: "members", value: [{ value: user }] }
            : { op: "remove", path: `members[value eq "${user}"]` },
        ),
      ),
    );
  } finally {
    await stopProcess(demo);
  }
}

async function scopeFor(
  db: Db,
  groupsSource: "scim" = "scim",
): Promise<ScimScope & { call: (m: ScimMethod, p: string, b?: unknown) => Promise<unknown> }> {
  const name = `bench-${randomUUID().slice(0, 8)}`;
  const id = await ensureOrganization(db, name);
  const seed = await readSeedFile("demo/org-seed.json");
  if (seed) await applySeedOnce(db, id, seed);
  const organization: Organization = {
    id,
    name,
    defaults: { adminGroups: [], groupsAllow: ".*", groupsBlock: undefined },
  };
  const scope: ScimScope = {
    db,
    organization,
    connection: { name, groupsSource },
    base: `https://porter.example.com/scim/v2/${name}`,
    by: { actor: "Okta", actorSub: "scim-token:bench", ip: null, userAgent: null },
  };
  const call = async (method: ScimMethod, p: string, body?: unknown) => {
    const url = new URL(p, "https://x");
    return handleScim(scope, method, url.pathname.split("/").filter(Boolean), url.searchParams, body);
  };
  return { ...scope, call };
}

/** n provisioned people, made in one statement (the fixture, not what is measured). */
async function provisioned(db: Db, organizationId: string, n: number, prefix: string): Promise<string[]> {
  const rows = await db.execute<{
    id: string;
  }>(sql`insert into users (organization_id, sub, external_id, user_name, email, name, provisioned_at)
    select ${organizationId}::uuid, '00u${sql.raw(prefix)}' || lpad(i::text, 8, '0'), '00u${sql.raw(prefix)}' || lpad(i::text, 8, '0'),
      '${sql.raw(prefix)}' || i || '@example.com', '${sql.raw(prefix)}' || i || '@example.com', 'Person ' || i, now()
    from generate_series(1, ${n}) i returning id`);
  return (rows as { rows: { id: string }[] }).rows.map((r) => r.id);
}

/** A burst's organization: its SCIM calls, its pushed groups' ids and its people's ids, in order. */
interface BurstOrganization {
  call: Awaited<ReturnType<typeof scopeFor>>["call"];
  groupIds: string[];
  ids: string[];
}

/** The groups pushed as Okta pushes them (POST /Groups, no members), one after another; their ids in order. */
async function pushedGroups(
  call: Awaited<ReturnType<typeof scopeFor>>["call"],
  names: readonly string[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const displayName of names)
    ids.push(((await call("POST", "/Groups", { displayName })) as { body: { id: string } }).body.id);
  return ids;
}

/**
 * The burst's membership changes as Okta sends them (person i added to group i mod n, the group's displayName
 * restated with it), `inFlight` PATCHes at a time; the elapsed milliseconds.
 */
async function membershipChanges(
  call: Awaited<ReturnType<typeof scopeFor>>["call"],
  groupIds: readonly string[],
  names: readonly string[],
  people: readonly string[],
  inFlight: number,
): Promise<number> {
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = next++; i < people.length; i = next++) {
        const gid = groupIds[i % groupIds.length] ?? "";
        await call(
          "PATCH",
          `/Groups/${gid}`,
          patch(
            { op: "replace", value: { id: gid, displayName: names[i % names.length] } },
            { op: "add", path: "members", value: [{ value: people[i] }] },
          ),
        );
      }
    }),
  );
  return performance.now() - t;
}

async function pushAtScale(label: string, config: DatabaseConfig): Promise<void> {
  const handle = await openDatabase(config);
  try {
    const db = handle.db;
    console.log(`\nSCIM in-process on ${label}`);
    // Push Groups: one PATCH adding PUSH_MEMBERS people (roles included), RUNS times on fresh data, vs the same
    // as single-member PATCHes (once: it takes a minute).
    const pushes: number[] = [];
    let granted = Number.POSITIVE_INFINITY;
    for (let run = 0; run < RUNS; run++) {
      const one = await scopeFor(db);
      const people = await provisioned(db, one.organization.id, PUSH_MEMBERS, "a");
      const group = (await one.call("POST", "/Groups", { displayName: "team-payments" })) as { body: { id: string } };
      const t = performance.now();
      await one.call(
        "PATCH",
        `/Groups/${group.body.id}`,
        patch({ op: "add", path: "members", value: people.map((value) => ({ value })) }),
      );
      pushes.push(performance.now() - t);
      const roles = await db.execute<{ n: number }>(
        sql`select count(*)::int as n from user_roles where organization_id = ${one.organization.id}::uuid and role = 'member'`,
      );
      granted = Math.min(granted, (roles as { rows: { n: number }[] }).rows[0]?.n ?? 0);
    }
    const bulk = median(pushes);
    const single = await scopeFor(db);
    const singles = await provisioned(db, single.organization.id, PUSH_MEMBERS, "b");
    const g2 = (await single.call("POST", "/Groups", { displayName: "team-payments" })) as { body: { id: string } };
    let t = performance.now();
    for (const value of singles)
      await single.call("PATCH", `/Groups/${g2.body.id}`, patch({ op: "add", path: "members", value: [{ value }] }));
    const one_by_one = performance.now() - t;
    line(
      `one PATCH adding ${PUSH_MEMBERS.toLocaleString("en")} members`,
      ms(bulk),
      `${runsOf(pushes, ms)}; each time ${String(granted)} or more got the member role; baseline ${PUSH_MEMBERS.toLocaleString("en")} single-member PATCHes ${ms(one_by_one)}: ${ratio(one_by_one / bulk)} faster; target at most 2 s: ${atMost(bulk, 2000, "ms")}`,
    );

    // A provisioning burst, RUNS times on fresh data: 1,000 people created, then 1,000 membership changes as Okta
    // sends them, one after another; then the same 1,000 changes to other people with IN_FLIGHT sent at once
    // (Entra sends concurrently; how many requests Okta's provisioning keeps in flight is not published):
    // PATCHes of one organization sent while one is applied share the next transaction (lib/core/batcher.ts).
    const names = ["Everyone", "Engineering", "team-payments", "PAM Linux Sysadmins", "Port Admins"];
    // Each run's times, with its burst organization (the last one's people are read and profiled below).
    const runs: { created: number; changes: number; concurrent: number; burst: BurstOrganization }[] = [];
    for (let run = 0; run < RUNS; run++) {
      const { call } = await scopeFor(db);
      const groupIds = await pushedGroups(call, names);
      const ids: string[] = [];
      t = performance.now();
      for (let i = 0; i < 1000; i++) {
        const res = (await call("POST", "/Users", {
          userName: `burst-${String(i)}@example.com`,
          externalId: `00uburst${String(i).padStart(10, "0")}`,
          name: { givenName: "Burst", familyName: String(i) },
          emails: [{ value: `burst-${String(i)}@example.com`, primary: true }],
          password: "not-kept",
          active: true,
        })) as { body: { id: string } };
        ids.push(res.body.id);
      }
      const created = performance.now() - t;
      const changes = await membershipChanges(call, groupIds, names, ids, 1);
      const together = await scopeFor(db);
      const others = await provisioned(db, together.organization.id, 1000, "t");
      const otherGroups = await pushedGroups(together.call, names);
      const concurrent = await membershipChanges(together.call, otherGroups, names, others, IN_FLIGHT);
      runs.push({ created, changes, concurrent, burst: { call, groupIds, ids } });
    }
    const last = runs.at(-1)?.burst;
    if (!last) throw new Error("no burst ran");
    const { call, groupIds, ids } = last;
    t = performance.now();
    for (let i = 0; i < 1000; i++) await call("GET", `/Users/${ids[i] ?? ""}`);
    const reads = performance.now() - t;
    // The floor under any request: one statement that does nothing, on the same database.
    const trivial = summarize(await timeEach(1000, () => db.execute(sql`select 1`)));
    const perSecond = (elapsed: number) => (1000 / elapsed) * 1000;
    const rate = (key: "created" | "changes" | "concurrent") => {
      const all = runs.map((r) => perSecond(r[key]));
      return { value: median(all), runs: runsOf(all, (v) => `${v.toFixed(0)}/s`) };
    };
    const created = rate("created");
    const changes = rate("changes");
    const concurrent = rate("concurrent");
    line(
      "burst: 1,000 users created",
      `${created.value.toFixed(0)} req/s`,
      `${created.runs}; baseline 1,000 GET /Users/{id} ${perSecond(reads).toFixed(0)} req/s`,
    );
    // The 500/s target is the burst's throughput (below, in flight), as for Okta's changes in bulk over Event
    // Hooks (bench/node.ts). A client that waits for each answer measures one change's latency instead: 500/s
    // would leave it 2 ms a change, its round trip included, which no client across a network gets.
    line(
      "burst: 1,000 membership changes, one after another",
      `${changes.value.toFixed(0)} req/s`,
      `${changes.runs}; baseline 1,000 GET /Users/{id} ${perSecond(reads).toFixed(0)} req/s: ${ratio(changes.value / perSecond(reads))}; ${ratio(changes.value / 500)} of 500/s, the burst's target (its throughput: in flight, below)`,
    );
    line(
      "burst: one membership change",
      ms(1000 / changes.value),
      `500/s leaves 2 ms per request; baseline one "select 1" on this database p50 ${ms(trivial.p50)} (a change is ten statements in one transaction: the push lock, the group, its people (provisioned? in the group already?), the membership, their pushed groups with their teams and roles before, the rules version, the teams, the write, the audit chain's head and the events)`,
    );
    line(
      `burst: 1,000 membership changes, ${String(IN_FLIGHT)} in flight`,
      `${concurrent.value.toFixed(0)} req/s`,
      `${concurrent.runs}; baseline the same 1,000 one after another ${changes.value.toFixed(0)} req/s: ${ratio(concurrent.value / changes.value)}; target at least 500/s: ${atLeast(concurrent.value, 500, "changes/s")}`,
    );
    await profileInProcess("300 more membership changes (a member removed, then added back)", async () => {
      for (let i = 0; i < 300; i++) {
        const k = Math.floor(i / 2);
        const gid = groupIds[k % groupIds.length] ?? "";
        const member = ids[k] ?? "";
        await call(
          "PATCH",
          `/Groups/${gid}`,
          i % 2 === 0
            ? patch({ op: "remove", path: `members[value eq "${member}"]` })
            : patch({ op: "add", path: "members", value: [{ value: member }] }),
        );
      }
    });

    // The users page and the access review with PEOPLE provisioned people.
    const big = await scopeFor(db);
    await provisioned(db, big.organization.id, PEOPLE, "c");
    await db.execute(
      sql`update users set last_sign_in_at = now() where organization_id = ${big.organization.id}::uuid and right(sub, 1) in ('0', '5')`,
    );
    // What a node's statistics refresh (PGlite: lib/db/statistics.ts) or autovacuum does within a minute.
    await db.execute(sql`analyze users`);
    const page = async (status?: "provisioned") => {
      const s = await timeEach(20, () =>
        listUsersPage(db, big.organization.id, { limit: 50, ...(status ? { status } : {}) }),
      );
      return summarize(s.slice(2));
    };
    const all = await page();
    const neverSignedIn = await page("provisioned");
    line(
      `users page, ${PEOPLE.toLocaleString("en")} provisioned, "never signed in"`,
      ms(neverSignedIn.p50),
      `baseline the same page unfiltered ${ms(all.p50)}: ${ratio(neverSignedIn.p50 / all.p50)}; target at most 100 ms: ${atMost(neverSignedIn.p99, 100, "ms")}`,
    );
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let peak = heapBefore;
    let rows = 0;
    t = performance.now();
    for await (const batch of iterateAccessReview(db, big.organization.id)) {
      rows += batch.length;
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    const exportMs = performance.now() - t;
    line(
      `access review of ${rows.toLocaleString("en")} people`,
      ms(exportMs),
      `heap grew at most ${((peak - heapBefore) / 1024 / 1024).toFixed(0)} MB while streaming (flat: read 1,000 at a time); baseline one users page ${ms(all.p50)}`,
    );
  } finally {
    await handle.close();
  }
}

export async function benchScim(): Promise<void> {
  await latencyOnTheDemo();
  const dir = mkdtempSync(path.join(tmpdir(), "porter-bench-scim-"));
  try {
    await pushAtScale("embedded PGlite", { kind: "pglite", dataDir: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const url = process.env.BENCH_DATABASE_URL;
  if (url) await pushAtScale("PostgreSQL", { kind: "postgres", url });
}
