import { describe, expect, it } from "vitest";
import { connectionUrls } from "./connection-urls";
import { parseConfig } from "./env";
import { ConfigError } from "./errors";

const env = {
  AUTH_SECRET: "tB4q9Lw2Xz7Kd1Rm6Pv0Ns3Hj8Gc5Fy2",
  APP_REGION: "eu",
  APP_URL_EU: "https://porter.eu.example.com",
  APP_URL_US: "https://porter.us.example.com",
  OKTA_CONNECTION_NAME: "acme",
  OKTA_ISSUER: "https://acme.okta.com/oauth2/default",
  OKTA_CLIENT_ID: "0oa1b2c3d4e5F6g7h8i9",
  OKTA_CLIENT_SECRET: "secret",
  GLOBEX_SECRET: "globex-secret",
};

const problems = (text: string, extraEnv: Record<string, string> = {}) => {
  try {
    parseConfig({ ...env, ...extraEnv }, { path: "connections.yaml", text });
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
};

const yaml = `connections:
  - name: globex
    issuer: https://globex.okta.com
    clientId: 0oaGLOBEX
    clientSecretEnv: GLOBEX_SECRET
    region: us
  - name: initech-spa
    issuer: https://initech.okta-emea.com/oauth2/aus1
    clientId: 0oaINITECH
    region: eu
    groupsAllow: "team-.*"
`;

describe("connections file", () => {
  it("reads YAML (and JSON) into connections, secrets from the named environment variable, none for an SPA", () => {
    const config = parseConfig(env, { path: "connections.yaml", text: yaml });
    expect(config.connections.map((c) => c.name)).toEqual(["acme", "globex", "initech-spa"]);
    expect(config.connections[1]).toMatchObject({
      clientSecret: "globex-secret",
      region: "us",
      apiClientIds: ["0oaGLOBEX"],
    });
    expect(config.connections[2]).toMatchObject({ clientSecret: undefined, groupsAllow: "team-.*" });
    const json = JSON.stringify({
      connections: [{ name: "globex", issuer: "https://globex.okta.com", clientId: "x", region: "us" }],
    });
    expect(parseConfig(env, { path: "c.json", text: json }).connections).toHaveLength(2);
  });

  it("names the line of a syntax error", () => {
    expect(problems("connections:\n  - name: [unclosed\n")).toEqual([
      expect.stringMatching(/^connections\.yaml \(line \d\): /),
    ]);
  });

  it("names the field and its line for every invalid value, all at once", () => {
    const bad = yaml
      .replace("https://globex.okta.com", "http://globex.okta.com")
      .replace("region: eu", "region: asia")
      .replace("name: initech-spa", "name: Initech/<b>");
    const list = problems(bad);
    expect(list).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/connections\.yaml \(line 3\): connections\[0\]\.issuer must use https/),
        expect.stringMatching(/connections\.yaml \(line 7\): connections\[1\]\.name must be lowercase/),
        expect.stringMatching(/connections\.yaml \(line 10\): connections\[1\]\.region/),
      ]),
    );
  });

  it("refuses a secret in the file, a missing secret variable, unknown fields and duplicate names", () => {
    expect(problems(yaml.replace("clientSecretEnv: GLOBEX_SECRET", "clientSecretEnv: s3cr3t-value"))[0]).toMatch(
      /must be the NAME of an environment variable/,
    );
    expect(problems(yaml.replace("GLOBEX_SECRET", "NOT_SET"))[0]).toMatch(/names NOT_SET, which is not set/);
    expect(problems(yaml.replace("    region: us\n", "    region: us\n    clientSecret: oops\n"))[0]).toMatch(
      /Unrecognized key/,
    );
    expect(problems(yaml.replace("name: globex", "name: acme"))[0]).toMatch(/acme used twice/);
  });
});

describe("connectionUrls", () => {
  it("computes the four Okta values on the home region's URL", () => {
    const config = parseConfig(env, { path: "c.yaml", text: yaml });
    const globex = config.connections[1];
    if (!globex) throw new Error("parsed");
    expect(connectionUrls(config, globex)).toEqual({
      region: "us",
      home: "https://porter.us.example.com",
      signInRedirectUri: "https://porter.us.example.com/api/auth/callback/globex",
      initiateLoginUri: "https://porter.us.example.com/login/globex/initiate",
      signOutRedirectUri: "https://porter.us.example.com/signed-out",
      directLoginUrl: "https://porter.us.example.com/login/globex",
      eventHookUri: "https://porter.us.example.com/api/okta/globex/event-hook",
      globalTokenRevocationUri: "https://porter.us.example.com/api/okta/globex/global-token-revocation",
    });
  });
});
