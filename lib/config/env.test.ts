import { describe, expect, it } from "vitest";
import { ConfigError } from "./errors";
import { parseConfig } from "./env";

const valid = {
  AUTH_SECRET: "tB4q9Lw2Xz7Kd1Rm6Pv0Ns3Hj8Gc5Fy2",
  APP_REGION: "eu",
  APP_URL_EU: "https://porter.eu.example.com",
  APP_URL_US: "https://porter.us.example.com",
  OKTA_ISSUER: "https://acme.okta.com/oauth2/default",
  OKTA_CLIENT_ID: "0oa1b2c3d4e5F6g7h8i9",
  OKTA_CLIENT_SECRET: "secret",
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe("parseConfig", () => {
  it("parses a valid environment into a frozen config with defaults", () => {
    const config = parseConfig(valid);
    expect(config.publicUrl).toBe("https://porter.eu.example.com");
    expect(config.connections[0]).toMatchObject({
      name: "okta",
      region: "eu",
      groupsClaim: "groups",
      groupsAllow: ".*",
      scopes: "openid profile email",
    });
    expect(config.database).toEqual({ kind: "pglite", dataDir: "./data" });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.connections[0])).toBe(true);
  });

  it("reports every missing variable at once, each with a valid example", () => {
    const list = problems({});
    for (const v of ["AUTH_SECRET", "APP_REGION", "APP_URL_EU", "APP_URL_US", "OKTA_ISSUER", "OKTA_CLIENT_ID"]) {
      expect(
        list.find((p) => p.startsWith(`${v} is missing`)),
        v,
      ).toMatch(/Example: \S+/);
    }
    expect(list).toHaveLength(6);
  });

  it("treats empty strings as missing", () => {
    expect(problems({ ...valid, OKTA_CLIENT_ID: "  " })).toEqual([expect.stringMatching(/^OKTA_CLIENT_ID is missing/)]);
  });

  it("allows no secret (an Okta Single-Page app, public client)", () => {
    expect(parseConfig({ ...valid, OKTA_CLIENT_SECRET: "" }).connections[0]?.clientSecret).toBeUndefined();
  });

  it("refuses an http issuer unless its host is loopback", () => {
    expect(problems({ ...valid, OKTA_ISSUER: "http://acme.okta.com/oauth2/default" })).toEqual([
      expect.stringMatching(/^OKTA_ISSUER must use https/),
    ]);
    expect(problems({ ...valid, OKTA_ISSUER: "http://10.0.0.5:4000/oauth2/default" })).toHaveLength(1);
    expect(problems({ ...valid, OKTA_ISSUER: "http://localhost.evil.example/oauth2/default" })).toHaveLength(1);
    for (const ok of [
      "http://localhost:4000/oauth2/default",
      "http://127.0.0.1:4000/oauth2/default",
      "http://[::1]:4000/oauth2/default",
    ]) {
      expect(problems({ ...valid, OKTA_ISSUER: ok }), ok).toEqual([]);
    }
  });

  it("refuses an issuer with a trailing slash, a query, or no scheme", () => {
    expect(problems({ ...valid, OKTA_ISSUER: "https://acme.okta.com/oauth2/default/" })[0]).toMatch(/trailing slash/);
    expect(problems({ ...valid, OKTA_ISSUER: "https://acme.okta.com?x=1" })[0]).toMatch(/query/);
    expect(problems({ ...valid, OKTA_ISSUER: "acme.okta.com" })[0]).toMatch(/absolute URL/);
  });

  it("refuses short secrets, bad regions, app URLs with paths and groups filters RE2 cannot run", () => {
    const list = problems({
      ...valid,
      AUTH_SECRET: "short",
      APP_REGION: "ap",
      APP_URL_US: "https://porter.us.example.com/app",
      OKTA_GROUPS_ALLOW: "(?=admin).*",
      OKTA_GROUPS_BLOCK: "(unclosed",
    });
    expect(list).toHaveLength(5);
    expect(list.join("\n")).toMatch(/AUTH_SECRET is too short/);
    expect(list.join("\n")).toMatch(/APP_REGION is invalid. Example: one of "eu" or "us"/);
    expect(list.join("\n")).toMatch(/APP_URL_US must be an origin without path/);
    expect(list.join("\n")).toMatch(/OKTA_GROUPS_ALLOW is not a usable RE2 pattern \(look-ahead/);
    expect(list.join("\n")).toMatch(/OKTA_GROUPS_BLOCK is not a usable RE2 pattern \(.*missing closing \)/);
  });

  it("uses PostgreSQL when DATABASE_URL is set", () => {
    expect(parseConfig({ ...valid, DATABASE_URL: "postgres://u:p@db:5432/porter" }).database).toEqual({
      kind: "postgres",
      url: "postgres://u:p@db:5432/porter",
    });
  });
});

describe("break-glass groups are per organization", () => {
  it("applies ADMIN_GROUPS to the default connection only; a connections-file organization names its own", () => {
    const config = parseConfig(
      {
        AUTH_SECRET: "tB4q9Lw2Xz7Kd1Rm6Pv0Ns3Hj8Gc5Fy2",
        APP_REGION: "eu",
        APP_URL_EU: "http://localhost:3000",
        APP_URL_US: "http://localhost:3001",
        OKTA_ISSUER: "https://acme.okta.com/oauth2/default",
        OKTA_CLIENT_ID: "0oa1",
        OKTA_CONNECTION_NAME: "acme",
        ADMIN_GROUPS: "Port Admins",
      },
      {
        path: "connections.yaml",
        text: "connections:\n  - { name: globex, issuer: https://globex.okta.com/oauth2/default, clientId: 0oa2, region: us }\n  - { name: initech, issuer: https://initech.okta.com/oauth2/default, clientId: 0oa3, region: eu, adminGroups: [Initech Admins] }\n",
      },
    );
    expect(config.connections.map((c) => [c.name, c.adminGroups])).toEqual([
      ["acme", ["Port Admins"]],
      ["globex", []],
      ["initech", ["Initech Admins"]],
    ]);
  });
});

describe("organizations sharing an Okta authorization server", () => {
  it("refuses two connections on one issuer that accept the same client ID (review finding 11)", () => {
    const env = {
      AUTH_SECRET: "tB4q9Lw2Xz7Kd1Rm6Pv0Ns3Hj8Gc5Fy2",
      APP_REGION: "eu",
      APP_URL_EU: "http://localhost:3000",
      APP_URL_US: "http://localhost:3001",
      OKTA_ISSUER: "https://acme.okta.com/oauth2/default",
      OKTA_CLIENT_ID: "0oa1",
      OKTA_CONNECTION_NAME: "acme",
    };
    const file = (ids: string) => ({
      path: "c.yaml",
      text: `connections:\n  - { name: initech, issuer: https://acme.okta.com/oauth2/default, clientId: 0oa2, region: eu, apiClientIds: [${ids}] }\n`,
    });
    expect(() => parseConfig(env, file("0oa2, 0oa1"))).toThrow(/acme and initech share the issuer .* client ID 0oa1/);
    expect(parseConfig(env, file("0oa2")).connections).toHaveLength(2);
  });
});

describe("secrets anyone could know (review finding 9) and Event Hook secrets (review finding 1)", () => {
  const demoSecret = "porter-eu-demo-secret-change-me";

  it("refuses the demo's published client secret when the issuer is a real Okta org", () => {
    expect(problems({ ...valid, OKTA_CLIENT_SECRET: demoSecret })).toEqual([
      "connection okta: the client secret is the demo's published one",
    ]);
  });

  it("refuses the demo's Event Hook secret and API token when the issuer is a real Okta org", () => {
    expect(
      problems({
        ...valid,
        OKTA_EVENT_HOOK_SECRET: "devidp-demo-hook-secret-change-me",
        OKTA_API_TOKEN: "devidp-demo-api-token",
      }),
    ).toEqual([
      "connection okta: the Event Hook secret is the demo's published one",
      "connection okta: the Okta API token is the demo's published one",
    ]);
  });

  it("refuses an AUTH_SECRET that repeats one character when the issuer is a real Okta org", () => {
    expect(problems({ ...valid, AUTH_SECRET: "a".repeat(40) })).toEqual([
      expect.stringContaining("AUTH_SECRET is not random") as string,
    ]);
  });

  it("allows the demo's secrets against a loopback issuer (the demo's devidp)", () => {
    expect(
      problems({
        ...valid,
        OKTA_ISSUER: "http://localhost:4000/oauth2/default",
        APP_URL_EU: "http://localhost:3000",
        AUTH_SECRET: "a".repeat(40),
        OKTA_CLIENT_SECRET: demoSecret,
      }),
    ).toEqual([]);
  });

  it("refuses an Event Hook secret shorter than 32 characters", () => {
    expect(problems({ ...valid, OKTA_EVENT_HOOK_SECRET: "s".repeat(31) })).toEqual([
      "OKTA_EVENT_HOOK_SECRET is too short: use 32 or more random characters",
    ]);
  });

  it("refuses two organizations sharing one Event Hook secret", () => {
    const shared = "k8Jd2Lq0Zx7Vb4Nm1Pw9Rt6Ys3Hf5Gc8-shared";
    const file = {
      path: "connections.json",
      text: JSON.stringify({
        connections: [
          {
            name: "globex",
            issuer: "https://globex.okta.com/oauth2/default",
            clientId: "0oaGLOBEX",
            region: "us",
            eventHookSecretEnv: "GLOBEX_HOOK",
          },
        ],
      }),
    };
    expect(() => parseConfig({ ...valid, OKTA_EVENT_HOOK_SECRET: shared, GLOBEX_HOOK: shared }, file)).toThrow(
      /connections okta and globex share one Event Hook secret/,
    );
  });
});
