import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { Porter } from "../pages/porter";
import { clusterInfo, query } from "./support";

test.describe("three app nodes behind nginx, one PostgreSQL", () => {
  test("any node answers any request of one session, and a sign-out on one node ends it on all", async ({ page }) => {
    const porter = new Porter(page);
    await porter.signInAs("dev@example.com");
    // Round robin is shared with the other tests' requests running meanwhile, so a fixed number of requests
    // may skip a node: ask until every node has answered (each answer must be the session's).
    const servedBy = new Set<string>();
    const nodes = clusterInfo().nodes.map((n) => n.name);
    for (let i = 0; i < 60 && servedBy.size < nodes.length; i++) {
      const me = await page.request.get("/api/me");
      expect(me.status()).toBe(200);
      servedBy.add(me.headers()["x-served-by"] ?? "?");
    }
    expect([...servedBy].sort()).toEqual(nodes);

    await porter.signOut();
    for (let i = 0; i < 6; i++) expect((await page.request.get("/api/me")).status()).toBe(401);
  });

  test("each node keeps the session in memory, and a session ended on one node is refused by every node within 1 s", async ({
    page,
  }) => {
    const porter = new Porter(page);
    // A platform operator: /api/health shows them each node's session cache.
    await porter.signInAs("admin@example.com");
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const nodes = clusterInfo().nodes;
    const me = (url: string) => fetch(`${url}/api/me`, { headers: { cookie } }).then((r) => r.status);
    const cache = async (url: string) => {
      const health = (await (await fetch(`${url}/api/health`, { headers: { cookie } })).json()) as {
        sessionCache?: { live: boolean; hits: number };
      };
      return health.sessionCache ?? { live: false, hits: -1 };
    };
    // Every node checks the session once from the database, then answers it from memory.
    for (const node of nodes) {
      expect(await me(node.url)).toBe(200);
      const before = await cache(node.url);
      expect(before.live).toBe(true);
      for (let i = 0; i < 3; i++) expect(await me(node.url)).toBe(200);
      expect((await cache(node.url)).hits).toBeGreaterThanOrEqual(before.hits + 3);
    }
    // Ended on one node (the sign-out goes through the proxy to whichever node it picks): each node's next
    // requests are refused within a second, whatever it kept.
    await porter.signOut();
    const ended = Date.now();
    for (const node of nodes) {
      await expect
        .poll(() => me(node.url), { timeout: Math.max(1, 1_000 - (Date.now() - ended)), intervals: [10] })
        .toBe(401);
    }
    expect(Date.now() - ended).toBeLessThan(1_000);
  });

  test("the proxy's request id is in the answer, in the node's JSON log line and in the audit event", async ({
    request,
  }) => {
    // A refused initiate login (wrong iss) is audited with the request's id among its refs.
    const res = await request.get(`/login/acme/initiate?iss=${encodeURIComponent("https://evil.example")}`, {
      maxRedirects: 0,
    });
    expect(res.status()).toBe(400);
    const requestId = res.headers()["x-request-id"] ?? "";
    const node = res.headers()["x-served-by"] ?? "";
    expect(requestId).toMatch(/^[0-9a-f]{32}$/); // nginx's $request_id
    await expect
      .poll(
        async () =>
          (
            await query<{ type: string; details: { requestId?: string } }>(
              "select type, details from audit_events where $1 = any(refs)",
              [requestId],
            )
          ).map((r) => [r.type, r.details.requestId]),
        { timeout: 10_000 },
      )
      .toEqual([["sign_in.failed", requestId]]);
    // The node writes its access-log line when the answer has gone out, and nginx its own after that: the
    // test may read the files first, so it waits for the lines (the writers flush within milliseconds).
    const linesOf = (file: string) =>
      readFileSync(path.join(clusterInfo().logs, file), "utf8")
        .split("\n")
        .filter((l) => l.includes(requestId));
    await expect
      .poll(() => linesOf(`${node}.log`).map((l) => JSON.parse(l) as Record<string, unknown>), { timeout: 5_000 })
      .toContainEqual(
        expect.objectContaining({ msg: "request", requestId, node, status: 400, path: "/login/acme/initiate" }),
      );
    await expect
      .poll(() => linesOf("proxy.log").join("\n"), { timeout: 5_000 })
      .toContain(`"requestId":"${requestId}"`);
  });

  test("a client cannot forge its address or request id through the proxy", async ({ request }) => {
    // Another refusal than the test above (refusals of one kind, address and minute are aggregated into one row).
    const res = await request.get("/login/acme/initiate?id_token=forged", {
      maxRedirects: 0,
      headers: { "x-forwarded-for": "198.51.100.66", "x-request-id": "forged-request-id-0001" },
    });
    const requestId = res.headers()["x-request-id"] ?? "";
    expect(requestId).not.toBe("forged-request-id-0001");
    await expect
      .poll(
        async () =>
          (await query<{ ip: string }>("select ip from audit_events where $1 = any(refs)", [requestId])).map(
            (r) => r.ip,
          ),
        { timeout: 10_000 },
      )
      .toEqual(["127.0.0.1"]);
  });

  test("a rate limit is shared by the nodes: a flood spread over all three gets 429 with Retry-After, audited once", async () => {
    // From 127.0.0.9 (a loopback address of its own): 90 forged Event Hook deliveries against okta.address=60/min.
    const send = () =>
      new Promise<{ status: number; retryAfter: string | undefined; node: string | undefined }>((resolve, reject) => {
        const req = http.request(
          `${clusterInfo().proxyUrl}/api/okta/acme/event-hook`,
          {
            method: "POST",
            localAddress: "127.0.0.9",
            headers: { "content-type": "application/json", authorization: "wrong" },
          },
          (res) => {
            res.resume();
            res.on("end", () => {
              resolve({
                status: res.statusCode ?? 0,
                retryAfter: res.headers["retry-after"],
                node: res.headers["x-served-by"] as string | undefined,
              });
            });
          },
        );
        req.on("error", reject);
        req.end("{}");
      });
    // One minute window for the whole flood (so "audited once" means once per window, not twice).
    const msLeft = 60_000 - (Date.now() % 60_000);
    if (msLeft < 20_000) await new Promise((r) => setTimeout(r, msLeft + 100));
    const since = new Date();
    const results: Awaited<ReturnType<typeof send>>[] = [];
    for (let i = 0; i < 90; i++) results.push(await send());
    const refused = results.filter((r) => r.status === 429);
    const answered = results.filter((r) => r.status === 401);
    expect(answered.length + refused.length).toBe(90);
    // The sliding estimate may refuse a little before 60 when the previous minute had traffic; never after.
    expect(answered.length).toBeLessThanOrEqual(60);
    expect(refused.length).toBeGreaterThanOrEqual(30);
    expect(new Set(refused.map((r) => r.node)).size).toBe(3);
    for (const r of refused) expect(Number(r.retryAfter)).toBeGreaterThan(0);
    const events = await query<{ reason: string; ip: string }>(
      "select reason, ip from audit_events where type = 'rate_limit.exceeded' and at >= $1",
      [since],
    );
    expect(events).toEqual([{ reason: "okta.address", ip: "127.0.0.9" }]);
  });

  test("a Shared Signals push with the stream's header but the wrong content type, a megabyte, or not a SET: 400 or 413, recorded, nothing ended", async ({
    request,
  }) => {
    // The header porter gave Okta is kept hashed only: for this test the stream's hash is set to a known
    // header, then put back, so devidp's real pushes keep working.
    const [row] = await query<{ organization_id: string; auth_hash: string }>(
      "select s.organization_id, s.auth_hash from ssf_streams s join organizations o on o.id = s.organization_id where o.name = 'initech'",
    );
    if (!row) throw new Error("initech registered no stream");
    const header = "Bearer e2e-known-header";
    await query(
      "update ssf_streams set auth_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex') where organization_id = $2",
      [header, row.organization_id],
    );
    try {
      const push = (data: string, type = "application/secevent+jwt") =>
        request.post("/api/okta/initech/security-events", {
          headers: { authorization: header, "content-type": type },
          data,
        });
      const wrongType = await push("a.b.c", "application/json");
      expect(wrongType.status()).toBe(400);
      expect(await wrongType.json()).toMatchObject({ err: "invalid_request" });
      expect((await push("x".repeat(1024 * 1024))).status()).toBe(413);
      const notASet = await push("not-a-jwt");
      expect(await notASet.json()).toMatchObject({ err: "invalid_request" });
      const [stream] = await query<{ last_refused_reason: string }>(
        "select last_refused_reason from ssf_streams where organization_id = $1",
        [row.organization_id],
      );
      expect(stream?.last_refused_reason).toContain("invalid_request");
    } finally {
      await query("update ssf_streams set auth_hash = $1 where organization_id = $2", [
        row.auth_hash,
        row.organization_id,
      ]);
    }
  });
});
