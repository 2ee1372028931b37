import { randomBytes } from "node:crypto";
import type { Configuration, KoaContextWithOIDC } from "oidc-provider";
import { errors } from "oidc-provider";
import { GROUPS_CLAIM_LIMIT, TOO_MANY_GROUPS_MESSAGE, type Directory } from "./directory";
import { esc, page } from "./views";
import { memoryAdapter } from "./memory-adapter";

/** The audience and scopes of devidp's one resource server, like Okta's "default" custom authorization server. */
export const API_AUDIENCE = "api://default";
export const API_SCOPES = "porter.read porter.write";
/** Okta API scopes the org authorization server grants to API Services apps (client credentials). */
export const OKTA_API_SCOPES = ["okta.users.read", "okta.groups.read", "okta.logs.read", "okta.apps.read"];

/**
 * oidc-provider set up to behave like an Okta custom authorization server: Okta's endpoint paths,
 * PKCE required, an Okta-style groups claim per app, Okta's wording for its errors.
 */
/** The two authorization servers devidp runs, like an Okta org: `default` (custom) and the org one. */
export type AuthorizationServer = "default" | "org";

const ROUTES: Record<AuthorizationServer, string> = { default: "/v1", org: "/oauth2/v1" };

const dpopNonceSecret = randomBytes(32);

export function configuration(
  directory: Directory,
  keys: { jwks: Configuration["jwks"]; cookieKeys: string[] },
  server: AuthorizationServer = "default",
): Configuration {
  const mine = directory.clients.filter((c) => (c.authorization_server ?? "default") === server);
  const claimNames = [...new Set(mine.flatMap((c) => (c.groups_claim ? [c.groups_claim.name] : [])))];
  const base = ROUTES[server];
  return {
    clients: mine.map((c) => ({
      client_id: c.client_id,
      ...(c.client_secret ? { client_secret: c.client_secret } : {}),
      redirect_uris: c.redirect_uris,
      post_logout_redirect_uris: c.post_logout_redirect_uris,
      token_endpoint_auth_method: c.token_endpoint_auth_method,
      ...(c.application_type ? { application_type: c.application_type } : {}),
      grant_types: c.grant_types ?? ["authorization_code"],
      response_types: c.grant_types?.includes("client_credentials") ? [] : ["code"],
      // Okta: General > Grant type > Refresh Token; devidp rotates them, like Okta's refresh token rotation.
      ...(c.grant_types?.includes("client_credentials")
        ? { scope: server === "org" ? (c.okta_scopes ?? []).join(" ") : API_SCOPES }
        : {}),
      ...(c.jwks ? { jwks: c.jwks } : {}),
    })),
    jwks: keys.jwks,
    adapter: memoryAdapter,
    cookies: {
      keys: keys.cookieKeys,
      ...(server === "org"
        ? { names: { session: "_session_org", interaction: "_interaction_org", resume: "_interaction_resume_org" } }
        : {}),
    },
    routes: {
      authorization: `${base}/authorize`,
      token: `${base}/token`,
      jwks: `${base}/keys`,
      userinfo: `${base}/userinfo`,
      end_session: `${base}/logout`,
      introspection: `${base}/introspect`,
      revocation: `${base}/revoke`,
    },
    scopes: ["openid", "offline_access", ...(server === "org" ? OKTA_API_SCOPES : API_SCOPES.split(" "))],
    pkce: { required: () => true },
    responseTypes: ["code"],
    // Okta puts profile, email and the app's groups claim in the ID token; Auth.js never calls userinfo.
    conformIdTokenClaims: false,
    claims: {
      openid: ["sub", ...claimNames],
      email: ["email", "email_verified"],
      profile: ["name", "preferred_username"],
    },
    features: {
      devInteractions: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      introspection: { enabled: true },
      // Both servers: the custom one for porter's own API, the org one for Okta's management API (API Services apps).
      clientCredentials: { enabled: true },
      // Okta: an API Services app may require DPoP; the org server answers use_dpop_nonce first, as Okta does.
      dPoP: { enabled: true, nonceSecret: dpopNonceSecret, requireNonce: () => server === "org" },
      // Like an Okta custom authorization server: access tokens are RS256 JWTs for the audience api://default.
      // The org authorization server's access tokens are Okta's own (only Okta verifies them): no resource server here.
      resourceIndicators: {
        enabled: server === "default",
        defaultResource: () => API_AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: API_SCOPES,
          audience: API_AUDIENCE,
          accessTokenTTL: 3600,
          accessTokenFormat: "jwt",
          jwt: { sign: { alg: "RS256" } },
        }),
      },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // Okta signs out without a confirmation page when id_token_hint is valid.
        logoutSource: (ctx, form) => {
          ctx.body = page(
            "Signing out",
            `<main class="card"><h1>Signing out…</h1>${form.replace("</form>", '<input type="hidden" name="logout" value="yes"></form>')}
<noscript><button type="submit" form="op.logoutForm">Continue</button></noscript>
<script>document.forms[0].submit()</script></main>`,
          );
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.body = page("Signed out", `<main class="card"><h1>You have been signed out of devidp</h1></main>`);
        },
      },
    },
    // Okta: refresh tokens idle out after 7 days by default.
    ttl: {
      AuthorizationCode: 60,
      IdToken: 3600,
      AccessToken: 3600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 7 * 86400,
      RefreshToken: 7 * 86400,
    },
    interactions: {
      url: (_ctx, interaction) => `${server === "org" ? "/interaction-org" : "/interaction"}/${interaction.uid}`,
    },
    // Consent is implied for the demo apps (like Okta's first-party apps): grant what was asked.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      const requested = [...ctx.oidc.requestParamScopes];
      grant.addOIDCScope(requested.join(" "));
      const apiScopes = requested.filter((s) => API_SCOPES.split(" ").includes(s));
      if (apiScopes.length > 0) grant.addResourceScope(API_AUDIENCE, apiScopes.join(" "));
      await grant.save();
      return grant;
    },
    // Okta's access token claims: cid (the app), uid (the user's id), scp (scopes as an array), and the
    // groups claim configured on the authorization server (for a service app: a fixed value).
    extraTokenClaims(_ctx, token) {
      if (token.kind !== "AccessToken" && token.kind !== "ClientCredentials") return undefined;
      const client = directory.client(token.clientId ?? "");
      const scp = (token.scope ?? "").split(" ").filter(Boolean);
      if ("accountId" in token && typeof token.accountId === "string") {
        const user = directory.user(token.accountId);
        const claim = client?.groups_claim;
        const groups = user && claim ? directory.groupsFor(user, claim) : [];
        if (claim && groups.length > GROUPS_CLAIM_LIMIT) throw new errors.InvalidRequest(TOO_MANY_GROUPS_MESSAGE);
        return { cid: token.clientId, uid: token.accountId, scp, ...(claim ? { [claim.name]: groups } : {}) };
      }
      return { cid: token.clientId, scp, ...(client?.static_groups ? { groups: client.static_groups } : {}) };
    },
    formats: {
      customizers: {
        // Okta puts the user's login (email) in an access token's sub, and their id in uid.
        jwt(_ctx, token, jwt) {
          const accountId = "accountId" in token && typeof token.accountId === "string" ? token.accountId : undefined;
          const user = accountId ? directory.user(accountId) : null;
          if (user) jwt.payload.sub = user.email;
          delete jwt.payload.scope;
        },
      },
    },
    findAccount(ctx, sub) {
      const user = directory.user(sub);
      // Like Okta: a deactivated or suspended user gets no token, a refresh included (invalid_grant).
      if (!user || (user.status ?? "ACTIVE") !== "ACTIVE") return undefined;
      return {
        accountId: user.id,
        claims() {
          const clientId = ctx.oidc.client?.clientId;
          const claim = clientId ? directory.client(clientId)?.groups_claim : undefined;
          const groups = claim ? directory.groupsFor(user, claim) : [];
          // Okta refuses to mint a token whose groups claim would exceed its cap.
          if (claim && groups.length > GROUPS_CLAIM_LIMIT) throw new errors.InvalidRequest(TOO_MANY_GROUPS_MESSAGE);
          return {
            sub: user.id,
            email: user.email,
            email_verified: true,
            name: user.name,
            preferred_username: user.email,
            ...(claim ? { [claim.name]: groups } : {}),
          };
        },
      };
    },
    renderError(ctx, out) {
      ctx.type = "html";
      const redirectProblem = out.error === "invalid_redirect_uri" || /redirect_uri/.test(out.error_description ?? "");
      const description = redirectProblem
        ? "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings"
        : (out.error_description ?? "The request could not be processed.");
      ctx.body = page(
        "Error",
        `<main class="card wide"><h1>400 Bad Request</h1>
<p>Identity Provider: devidp<br>Error Code: <code>${esc(redirectProblem ? "invalid_request" : out.error)}</code></p>
<p role="alert" class="error">Description: ${esc(description)}</p>
${redirectProblem ? "<p>The redirect URI in the request is not a registered Login redirect URI of this app (Okta Admin Console: Applications &gt; your app &gt; General &gt; Login redirect URIs).</p>" : ""}
</main>`,
      );
    },
  };
}
