import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalServer } from "../../test/support/local-server";
import { discoveryUrl } from "./discovery";
import { oktaFetch } from "./okta-fetch";

let server: Awaited<ReturnType<typeof startLocalServer>>;
let issuer: string;
let discoveries = 0;

beforeAll(async () => {
  server = await startLocalServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/oauth2/default/.well-known/openid-configuration") {
      discoveries++;
      setTimeout(
        () =>
          res.end(
            JSON.stringify({
              issuer,
              authorization_endpoint: `${issuer}/v1/authorize`,
              token_endpoint: `${issuer}/v1/token`,
              jwks_uri: `${issuer}/v1/keys`,
              token_endpoint_auth_methods_supported: ["client_secret_basic"],
            }),
          ),
        50,
      );
    } else res.writeHead(404).end("{}");
  });
  issuer = `${server.origin}/oauth2/default`;
});
afterAll(() => server.close());

describe("Auth.js's fetch for an Okta connection", () => {
  it("a burst of 20 sign-ins costs one discovery request, and the document is Okta's, whole", async () => {
    const f = oktaFetch(issuer);
    const answers = await Promise.all(Array.from({ length: 20 }, () => f(discoveryUrl(issuer))));
    expect(discoveries).toBe(1);
    expect(await answers[0]?.json()).toMatchObject({
      issuer,
      token_endpoint_auth_methods_supported: ["client_secret_basic"],
    });
    await f(discoveryUrl(issuer));
    expect(discoveries).toBe(1);
    // Anything else goes to Okta as is.
    expect((await f(`${issuer}/v1/keys`)).status).toBe(404);
  });

  it("an unreachable Okta fails like fetch does (porter's sign-in error page reads it as Okta unreachable)", async () => {
    const gone = "http://127.0.0.1:9/oauth2/default";
    await expect(oktaFetch(gone)(discoveryUrl(gone))).rejects.toThrow(TypeError);
  });
});
