import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { Directory } from "../support/directory";
import { handleAppsApi } from "./apps-api";
import type { OAuthTokens } from "./management-api";

const directory = new Directory(
  {
    password: "x",
    api_tokens: [{ token: "t", permissions: ["okta.apps.read"] }],
    users: [],
    clients: [
      {
        client_id: "porter-eu",
        label: "porter",
        redirect_uris: [],
        post_logout_redirect_uris: [],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
  },
  {
    port: 4000,
    origin: "http://localhost:4000",
    dataDir: "/tmp",
    appUrls: { eu: "http://localhost:3000", us: "http://localhost:3001" },
    rateLimitPerMinute: 600,
    extraUsers: 0,
  },
);

async function call(
  url: string,
  authorization = "SSWS t",
  oauth?: OAuthTokens,
): Promise<{ status: number; body: Record<string, unknown> }> {
  let status = 0;
  let body = "";
  const res = { writeHead: (s: number) => (status = s), end: (b: string) => (body = b) } as unknown as ServerResponse;
  const req = { method: "GET", url, headers: { authorization } } as unknown as IncomingMessage;
  await handleAppsApi(directory, req, res, "http://devidp.test", oauth);
  return { status, body: JSON.parse(body) as Record<string, unknown> };
}

describe("devidp's Apps API", () => {
  it("answers an id that is not valid percent-encoding with Okta's 404, not a crash (review finding 14)", async () => {
    expect(await call("/api/v1/apps/%ZZ")).toMatchObject({ status: 404, body: { errorCode: "E0000007" } });
    expect(await call("/api/v1/apps/porter-eu")).toMatchObject({ status: 200, body: { id: "porter-eu" } });
  });

  it("reads an app for an API Services app's OAuth token with okta.apps.read, and refuses one without", async () => {
    const oauth: OAuthTokens = (token) =>
      Promise.resolve(token === "apps" ? ["okta.apps.read"] : token === "users" ? ["okta.users.read"] : "unknown");
    expect(await call("/api/v1/apps/porter-eu", "Bearer apps", oauth)).toMatchObject({ status: 200 });
    expect(await call("/api/v1/apps/porter-eu", "Bearer users", oauth)).toMatchObject({ status: 403 });
    expect(await call("/api/v1/apps/porter-eu", "Bearer nope", oauth)).toMatchObject({ status: 401 });
  });
});
