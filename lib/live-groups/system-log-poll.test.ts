import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { testDatabases, useTestDatabase } from "../../test/support/databases";
import { newOrganization, signInPerson } from "../../test/support/people";
import { OktaClient, resetOktaApiBackoff } from "../okta";
import type { Organization } from "../organizations/organizations";
import { getUserTeams } from "../people/queries";
import { enqueueOktaEvents } from "./okta-events";
import { firstLogUrl, getLogCursor, pollSystemLog } from "./system-log-poll";

const ORG = "https://acme.okta.com";
/** acme's events context with an Okta API token, its calls answered by `fetchImpl`. */
const contextOf = (organization: Organization, fetchImpl: typeof fetch) => ({
  organization,
  connection: { name: "acme", clientId: "porter-eu" },
  okta: new OktaClient({ orgUrl: ORG, token: "t" }, fetchImpl),
});
const added = (uuid: string, group: string) => ({
  uuid,
  published: new Date().toISOString(),
  eventType: "group.user_membership.add",
  target: [
    { id: "00u1dev", type: "User", alternateId: "dev@example.com" },
    { id: `00g-${group}`, type: "UserGroup", displayName: group },
  ],
});

/**
 * Okta's System Log in polling mode (ascending pages, a next link always, the cursor in `after`), and its
 * Users API, where dev is in Everyone and every group the log added (what Okta reads once it logged them).
 */
function systemLog(events: ReturnType<typeof added>[], mode: { status?: number } = {}) {
  const seen: string[] = [];
  const fetchImpl: typeof fetch = (input) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.pathname === "/api/v1/users/00u1dev/groups") {
      const names = ["Everyone", ...events.map((e) => e.target[1]?.displayName ?? "")];
      return Promise.resolve(Response.json(names.map((name) => ({ id: name, profile: { name } }))));
    }
    seen.push(url.toString());
    if (mode.status)
      return Promise.resolve(
        new Response('{"errorCode":"E0000047"}', {
          status: mode.status,
          headers: { "x-rate-limit-reset": String(Math.floor(Date.now() / 1000) + 40) },
        }),
      );
    const after = Number(url.searchParams.get("after") ?? "0");
    const page = events.slice(after, after + 2);
    const next = new URL(url);
    next.searchParams.set("after", String(after + page.length));
    return Promise.resolve(
      Response.json(page, { headers: { link: `<${url.toString()}>; rel="self", <${next.toString()}>; rel="next"` } }),
    );
  };
  return { fetchImpl, seen };
}

describe.each(testDatabases())("System Log polling on %s", (_name, dbConfig) => {
  const handle = useTestDatabase(dbConfig);

  it("starts from now with our event types, follows and stores the next link, dedupes with the hook by uuid", async () => {
    resetOktaApiBackoff();
    const organization = await newOrganization(handle.db, { prefix: "poll" });
    const organizationId = organization.id;
    const { user: dev } = await signInPerson(handle.db, organization, "00u1dev", ["Everyone"]);
    const first = new URL(firstLogUrl(ORG, new Date()));
    expect(first.searchParams.get("sortOrder")).toBe("ASCENDING");
    expect(first.searchParams.get("filter")).toContain('eventType eq "group.user_membership.remove"');

    const viaHook = added(randomUUID(), "Engineering");
    await enqueueOktaEvents(handle.db, {
      organizationId,
      connection: "acme",
      deliveryId: "d",
      source: "event_hook",
      events: [viaHook],
    });
    const events = [viaHook, added(randomUUID(), "PAM Linux Sysadmins"), added(randomUUID(), "team-payments")];
    const okta = systemLog(events);
    // Short pages (2 of limit 1000) mean "caught up": one page a poll, the checkpoint keeps the place.
    expect(await pollSystemLog(handle.db, contextOf(organization, okta.fetchImpl))).toMatchObject({
      polled: true,
      events: 1,
    });
    expect((await getLogCursor(handle.db, organizationId))?.nextUrl).toContain("after=2");
    expect(await pollSystemLog(handle.db, contextOf(organization, okta.fetchImpl))).toMatchObject({
      polled: true,
      events: 1,
    });
    expect(okta.seen[1]).toContain("after=2");
    expect(await getUserTeams(handle.db, dev.id)).toEqual([
      "Engineering",
      "Everyone",
      "PAM Linux Sysadmins",
      "team-payments",
    ]);
    // Caught up: the next poll asks from the same place and finds nothing.
    expect(await pollSystemLog(handle.db, contextOf(organization, okta.fetchImpl))).toMatchObject({
      polled: true,
      events: 0,
    });
    expect(okta.seen[2]).toContain("after=3");
  });

  it("a 429 keeps the checkpoint and waits until X-Rate-Limit-Reset; a poll during the wait does not call Okta", async () => {
    resetOktaApiBackoff();
    const organization = await newOrganization(handle.db, { prefix: "poll", seed: null });
    const organizationId = organization.id;
    const limited = systemLog([], { status: 429 });
    expect(await pollSystemLog(handle.db, contextOf(organization, limited.fetchImpl))).toMatchObject({
      polled: true,
      error: expect.stringContaining("E0000047") as string,
    });
    const cursor = await getLogCursor(handle.db, organizationId);
    expect(cursor?.blockedUntil?.getTime()).toBeGreaterThan(Date.now() + 30_000);
    expect(await pollSystemLog(handle.db, contextOf(organization, limited.fetchImpl))).toMatchObject({
      polled: false,
    });
    expect(limited.seen).toHaveLength(1);
  });
});
