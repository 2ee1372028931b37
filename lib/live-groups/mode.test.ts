import { describe, expect, it } from "vitest";
import type { OktaLogCursor } from "../db/schema";
import { liveGroupsMode } from "./mode";

const config = { logPollSeconds: 30, groupsMaxAgeSeconds: 300, groupsGraceSeconds: 900 };
const cursor = (over: Partial<OktaLogCursor>): OktaLogCursor => ({
  organizationId: "o",
  connection: "acme",
  nextUrl: null,
  leasedUntil: null,
  blockedUntil: null,
  lastPolledAt: new Date(),
  lastSuccessAt: null,
  lastError: null,
  lastErrorCode: null,
  eventsSeen: 0,
  ...over,
});
const base = {
  issuer: "https://acme.okta.com/oauth2/default",
  eventHookSecret: undefined,
  oktaApiToken: undefined,
  oktaServiceApp: undefined,
  scopes: "openid offline_access",
  groupsSource: "claim" as const,
};

describe("live group mode", () => {
  it("nothing configured: GROUPS_MAX_AGE is the bound, re-read with the refresh token", () => {
    const mode = liveGroupsMode(base, config, null);
    expect(mode).toMatchObject({ sources: ["groups_max_age"], worstCaseSeconds: 300, problem: null });
    expect(mode.summary).toContain("with its refresh token");
    expect(liveGroupsMode({ ...base, scopes: "openid" }, config, null).summary).toContain("by a new sign-in");
  });

  const withToken = { ...base, oktaApiToken: "t", eventHookSecret: "s".repeat(20) };

  it("bounds staleness by the polling interval while polling works", () => {
    expect(liveGroupsMode(withToken, config, cursor({ lastSuccessAt: new Date() }))).toMatchObject({
      sources: ["event_hook", "system_log", "groups_max_age"],
      worstCaseSeconds: 35,
      problem: null,
    });
  });

  it("names failing polling as a problem", () => {
    expect(
      liveGroupsMode(
        withToken,
        config,
        cursor({
          lastSuccessAt: new Date(),
          lastError: "Okta's API answered HTTP 500.",
          lastErrorCode: "okta_api_unavailable",
        }),
      ).problem,
    ).toContain("HTTP 500");
  });

  it("treats a credential that may not read the System Log as no polling, said plainly", () => {
    const refused = liveGroupsMode(withToken, config, cursor({ lastError: "no", lastErrorCode: "okta_api_forbidden" }));
    expect(refused).toMatchObject({ sources: ["event_hook", "groups_max_age"], worstCaseSeconds: 300, problem: null });
    expect(refused.summary).toContain("may not read the System Log");
  });
});
