import { withOktaEndpoint } from "@/lib/auth/okta-endpoint";
import { connectionUrls, getConfig } from "@/lib/config";
import { readBodyLimited } from "@/lib/core/read-body";
import { spendTokenId } from "@/lib/limits";
import { universalLogout } from "@/lib/live-groups";
import { LogoutError, logoutIssuers, MAX_LOGOUT_BODY, parseLogoutSubject, verifyLogoutToken } from "@/lib/okta";

/**
 * Okta Universal Logout (Global Token Revocation): the Bearer JWT is checked first (401/403), its jti used
 * once across nodes, then the body's subject (400) and the people (404); every porter session they hold in
 * this organization ends (204).
 */
export const POST = withOktaEndpoint({
  what: "Universal Logout endpoint",
  refused: "okta.logout_rejected",
  challenge: 'Bearer error="invalid_token"',
  authenticate: ({ req, connection }) =>
    verifyLogoutToken(
      req.headers.get("authorization"),
      connection,
      connectionUrls(getConfig(), connection).globalTokenRevocationUri,
    ),
  handle: async ({ req, db, connection, organization, client }, token) => {
    if (!(await spendTokenId(db, organization.id, "global-token-revocation", token.jti, new Date(token.exp * 1000))))
      throw new LogoutError({
        code: "logout_replayed",
        message: `jti ${token.jti} reused`,
        userMessage: "This Universal Logout token was already used (its jti is spent); Okta sends a new one each time.",
      });
    const subject = parseLogoutSubject(await readBodyLimited(req, MAX_LOGOUT_BODY));
    const ended = await universalLogout(db, {
      organizationId: organization.id,
      connection: connection.name,
      subject,
      issuers: logoutIssuers(connection),
      jti: token.jti,
      client,
    });
    return new Response(null, { status: 204, headers: { "x-porter-sessions-ended": String(ended) } });
  },
});
