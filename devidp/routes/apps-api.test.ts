import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { Directory } from "../support/directory";
import { handleAppsApi } from "./apps-api";

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

function call(url: string): { status: number; body: Record<string, unknown> } {
  let status = 0;
  let body = "";
  const res = { writeHead: (s: number) => (status = s), end: (b: string) => (body = b) } as unknown as ServerResponse;
  const req = { method: "GET", url, headers: { authorization: "SSWS t" } } as unknown as IncomingMessage;
  handleAppsApi(directory, req, res);
  return { status, body: JSON.parse(body) as Record<string, unknown> };
}

describe("devidp's Apps API", () => {
  it("answers an id that is not valid percent-encoding with Okta's 404, not a crash (review finding 14)", () => {
    expect(call("/api/v1/apps/%ZZ")).toMatchObject({ status: 404, body: { errorCode: "E0000007" } });
    expect(call("/api/v1/apps/porter-eu")).toMatchObject({ status: 200, body: { id: "porter-eu" } });
  });
});
