import type { Configuration, KoaContextWithOIDC } from "oidc-provider";
import { errors } from "oidc-provider";
import { GROUPS_CLAIM_LIMIT, TOO_MANY_GROUPS_MESSAGE, type Directory } from "./directory";
import { esc, page } from "./views";

/**
 * oidc-provider set up to behave like an Okta custom authorization server: Okta's endpoint paths,
 * PKCE required, an Okta-style groups claim per app, Okta's wording for its errors.
 */
export function configuration(directory: Directory, keys: { jwks: Configuration["jwks"]; cookieKeys: string[] }): Configuration {
  const claimNames = [...new Set(directory.clients.flatMap((c) => (c.groups_claim ? [c.groups_claim.name] : [])))];
  return {
    clients: directory.clients.map((c) => ({
      client_id: c.client_id,
      ...(c.client_secret ? { client_secret: c.client_secret } : {}),
      redirect_uris: c.redirect_uris,
      post_logout_redirect_uris: c.post_logout_redirect_uris,
      token_endpoint_auth_method: c.token_endpoint_auth_method,
      grant_types: ["authorization_code"],
      response_types: ["code"],
    })),
    jwks: keys.jwks,
    cookies: { keys: keys.cookieKeys },
    routes: {
      authorization: "/v1/authorize",
      token: "/v1/token",
      jwks: "/v1/keys",
      userinfo: "/v1/userinfo",
      end_session: "/v1/logout",
      introspection: "/v1/introspect",
      revocation: "/v1/revoke",
    },
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
    ttl: { AuthorizationCode: 60, IdToken: 3600, AccessToken: 3600, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // Consent is implied for the demo apps (like Okta's first-party apps): grant what was asked.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(" "));
      await grant.save();
      return grant;
    },
    findAccount(ctx, sub) {
      const user = directory.user(sub);
      if (!user) return undefined;
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
