import { createHash, randomBytes } from "node:crypto";
import type { APIRequestContext } from "@playwright/test";
import { PASSWORD } from "./devidp-sign-in";
import { ISSUER } from "./env";

export { ISSUER };
const CLI_REDIRECT = "http://127.0.0.1:8765/callback";

/**
 * A real access token for a demo user, the way a CLI gets one from Okta: Authorization Code + PKCE with
 * the public client porter-cli, signing in at devidp. Nothing listens on the redirect URI: the code is
 * read from the Location header.
 */
export async function userAccessToken(
  request: APIRequestContext,
  email: string,
  scope = "openid porter.read porter.write",
): Promise<string> {
  const verifier = randomBytes(32).toString("base64url");
  const authorize = new URL(`${ISSUER}/v1/authorize`);
  const state = randomBytes(16).toString("base64url");
  authorize.search = new URLSearchParams({
    client_id: "porter-cli",
    response_type: "code",
    redirect_uri: CLI_REDIRECT,
    scope,
    state,
    nonce: randomBytes(16).toString("base64url"),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  }).toString();
  let current = authorize;
  let res = await request.get(current.toString(), { maxRedirects: 0 });
  for (let hop = 0; hop < 10; hop += 1) {
    const location = res.headers().location;
    if (!location)
      throw new Error(`no redirect from ${current.toString()} (HTTP ${String(res.status())}): ${await res.text()}`);
    current = new URL(location, current);
    if (current.toString().startsWith(CLI_REDIRECT)) {
      const code = current.searchParams.get("code");
      if (!code || current.searchParams.get("state") !== state) throw new Error(`bad callback ${current.toString()}`);
      const token = await request.post(`${ISSUER}/v1/token`, {
        form: {
          grant_type: "authorization_code",
          code,
          redirect_uri: CLI_REDIRECT,
          client_id: "porter-cli",
          code_verifier: verifier,
        },
      });
      const body = (await token.json()) as { access_token?: string; error?: string };
      if (!body.access_token) throw new Error(`token request failed: ${JSON.stringify(body)}`);
      return body.access_token;
    }
    res = await request.get(current.toString(), { maxRedirects: 0 });
    // devidp's sign-in page (200) asks for the password; its other interactions redirect on their own.
    if (/^\/interaction\/[\w-]+$/.test(current.pathname) && res.status() === 200) {
      res = await request.post(`${current.toString()}/login`, {
        form: { username: email, password: PASSWORD },
        maxRedirects: 0,
      });
    }
  }
  throw new Error("authorization did not reach the redirect URI");
}

/** A service's access token (client credentials, the Okta "API Services" app porter-ci). */
export async function serviceAccessToken(
  request: APIRequestContext,
  scope = "porter.read porter.write",
  client = "porter-ci",
): Promise<string> {
  const res = await request.post(`${ISSUER}/v1/token`, {
    form: { grant_type: "client_credentials", scope },
    headers: { authorization: `Basic ${Buffer.from(`${client}:${client}-demo-secret-change-me`).toString("base64")}` },
  });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`client credentials failed: ${JSON.stringify(body)}`);
  return body.access_token;
}
