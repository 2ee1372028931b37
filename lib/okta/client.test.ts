import { startLocalServer } from "../../test/support/local-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { nextLink, OktaClient, resetOktaApiBackoff } from "./client";

let server: Awaited<ReturnType<typeof startLocalServer>>;
let org: string;
let mode = "ok";
let calls = 0;
const groups = Array.from({ length: 300 }, (_, i) => `g-${String(i).padStart(3, "0")}`);

beforeAll(async () => {
  server = await startLocalServer((req, res) => {
    calls++;
    const url = new URL(req.url ?? "/", org);
    if (req.headers.authorization !== "SSWS good") return res.writeHead(401).end("{}");
    if (mode === "429")
      return res
        .writeHead(429, { "x-rate-limit-reset": String(Math.floor(Date.now() / 1000) + 30) })
        .end('{"errorCode":"E0000047"}');
    if (mode === "500") return res.writeHead(500).end('{"errorCode":"E0000009"}');
    if (mode === "slow") return void setTimeout(() => res.writeHead(200).end("[]"), 6000);
    if (mode === "elsewhere")
      return res.writeHead(200, { link: '<https://evil.example/api/v1/users/x/groups?after=1>; rel="next"' }).end("[]");
    // Pages of 7 whatever the limit says (never trust the page size); "short" stops giving next after page 2.
    const after = Number(url.searchParams.get("after") ?? "0");
    const page = groups.slice(after, after + 7);
    const more = after + 7 < groups.length && !(mode === "short" && after >= 7);
    const link = [
      `<${org}${url.pathname}?limit=200>; rel="self"`,
      ...(more ? [`<${org}${url.pathname}?limit=200&after=${String(after + 7)}>; rel="next"`] : []),
    ].join(", ");
    res
      .writeHead(200, { "content-type": "application/json", link })
      .end(JSON.stringify(page.map((name, i) => ({ id: `00g${String(after + i)}`, profile: { name } }))));
  });
  org = server.origin;
});
afterAll(() => server.close());
beforeEach(() => {
  mode = "ok";
  calls = 0;
  resetOktaApiBackoff();
});

describe("Okta Users API: a person's groups", () => {
  it("reads a person in 300 groups by following Link rel=next to the end", async () => {
    expect(await new OktaClient({ orgUrl: org, token: "good" }).listUserGroups("00u1")).toEqual(groups);
    expect(calls).toBe(Math.ceil(300 / 7));
  });

  it("a page without next mid-way ends the list there, without error", async () => {
    mode = "short";
    expect(await new OktaClient({ orgUrl: org, token: "good" }).listUserGroups("00u1")).toHaveLength(14);
  });

  it("429 E0000047 backs off until X-Rate-Limit-Reset: the next call does not reach Okta", async () => {
    mode = "429";
    await expect(new OktaClient({ orgUrl: org, token: "good" }).listUserGroups("00u1")).rejects.toMatchObject({
      code: "okta_api_rate_limited",
    });
    mode = "ok";
    const err = (await new OktaClient({ orgUrl: org, token: "good" })
      .listUserGroups("00u1")
      .catch((e: unknown) => e)) as {
      code: string;
      retryAt: Date;
    };
    expect(err.code).toBe("okta_api_rate_limited");
    expect(err.retryAt.getTime()).toBeGreaterThan(Date.now() + 20_000);
    expect(calls).toBe(1);
  });

  it("500, a timeout, a wrong token, a next link to another host: clear errors, the token never leaves the org", async () => {
    mode = "500";
    await expect(new OktaClient({ orgUrl: org, token: "good" }).listUserGroups("00u1")).rejects.toMatchObject({
      code: "okta_api_unavailable",
    });
    await expect(new OktaClient({ orgUrl: org, token: "bad" }).listUserGroups("00u1")).rejects.toMatchObject({
      code: "okta_api_unauthorized",
    });
    mode = "elsewhere";
    await expect(new OktaClient({ orgUrl: org, token: "good" }).listUserGroups("00u1")).rejects.toMatchObject({
      code: "okta_api_invalid",
    });
    mode = "slow";
    await expect(new OktaClient({ orgUrl: org, token: "good" }).listUserGroups("00u1")).rejects.toMatchObject({
      code: "okta_api_unavailable",
    });
  }, 10_000);

  it("parses Link headers as Okta writes them", () => {
    expect(nextLink('<https://a/x?limit=2>; rel="self", <https://a/x?after=5&limit=2>; rel="next"')).toBe(
      "https://a/x?after=5&limit=2",
    );
    expect(nextLink('<https://a/x>; rel="self"')).toBeNull();
    expect(nextLink(null)).toBeNull();
  });
});
