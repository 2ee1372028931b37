import { OKTA_CALL_TIMEOUT_MS } from "../okta/okta-fetch";
import { FIXES, inAdminConsole, PLACES } from "../okta/admin-console";
import type { Connection, ConnectionUrls } from "../config";
import type { SignInErrorCode } from "./errors";

export interface SignInErrorPage {
  title: string;
  summary: string;
  /** Who can fix it: the person signing in (try again) or an Okta admin (setup). */
  audience: "user" | "admin";
  /** Okta Admin Console steps, in order. */
  steps: string[];
  /** Exact values to paste, each shown with a copy button. */
  values: { label: string; value: string }[];
  retry: boolean;
}

export interface DescribeContext {
  connection: Connection | null;
  idpError?: string | undefined;
  /** The connection's URLs in its home region and in this deployment's region (for wrong-region help). */
  urls?: { home: ConnectionUrls; here: ConnectionUrls } | undefined;
}

/** Plain-words explanation of each sign-in failure, with the Okta Admin Console fix where setup is the cause. */
export function describeSignInError(code: SignInErrorCode, ctx: DescribeContext): SignInErrorPage {
  const c = ctx.connection;
  const host = c ? new URL(c.issuer).host : "your Okta org";
  switch (code) {
    case "access_denied":
      return {
        title: "Sign-in was cancelled",
        summary: "Okta reported that the sign-in was cancelled or denied (access_denied). Nothing was changed.",
        audience: "user",
        steps: [],
        values: [],
        retry: true,
      };
    case "user_not_assigned":
      return {
        title: "You are not assigned to porter in Okta",
        summary: "Okta refused the sign-in because your Okta user is not assigned to the porter app.",
        audience: "admin",
        steps: [
          `In the Okta Admin Console open ${PLACES.assignments}.`,
          "Click Assign > Assign to Groups (or Assign to People) and add this user or a group they belong to.",
          "Click Done, then sign in again.",
        ],
        values: [],
        retry: true,
      };
    case "idp_error":
      return {
        title: "Okta returned an error",
        summary: `Okta answered the sign-in with the error "${ctx.idpError ?? "other"}". The audit log has Okta's full description.`,
        audience: "admin",
        steps: [
          `In the Okta Admin Console open ${PLACES.systemLog} and search for the app's client ID${c ? ` (${c.clientId})` : ""}.`,
        ],
        values: [],
        retry: true,
      };
    case "state_invalid":
      return {
        title: "This sign-in link has expired or was already used",
        summary:
          "The answer from Okta did not match a sign-in started in this browser (its state was missing, changed or already used). For your safety it was refused. Start the sign-in again from porter.",
        audience: "user",
        steps: [],
        values: [],
        retry: true,
      };
    case "nonce_invalid":
      return {
        title: "The sign-in could not be verified",
        summary:
          "The ID token from Okta was not issued for this sign-in (its nonce did not match). It was refused, and the attempt is recorded in the audit log.",
        audience: "user",
        steps: [],
        values: [],
        retry: true,
      };
    case "code_invalid":
      return {
        title: "This sign-in code was already used or has expired",
        summary:
          "Okta refused the one-time sign-in code (invalid_grant). Codes are single-use and expire after a minute. Start again.",
        audience: "user",
        steps: [],
        values: [],
        retry: true,
      };
    case "id_token_invalid":
      return {
        title: "The ID token from Okta failed verification",
        summary:
          "porter verifies every ID token's signature, issuer, audience and expiry. This one failed, so sign-in was refused and the attempt was recorded. If it keeps happening, check this server's clock and the issuer setting.",
        audience: "admin",
        steps: c
          ? [
              `Check that porter's issuer is exactly the Issuer URI shown in the Okta Admin Console under ${PLACES.authorizationServers}.`,
              "Check that this server's clock is correct (NTP): tokens are refused when the clock is off by more than a minute.",
            ]
          : [],
        values: c ? [{ label: "Issuer porter expects", value: c.issuer }] : [],
        retry: true,
      };
    case "issuer_mismatch":
      return {
        title: "Okta's issuer does not match porter's setting",
        summary: `The authorization server at ${host} identifies itself with a different issuer than the one porter is configured with, so sign-in was refused (mix-up protection).`,
        audience: "admin",
        steps: [
          FIXES.issuer(),
          "Set porter's OKTA_ISSUER to exactly that value (no trailing slash) and restart porter.",
        ],
        values: c ? [{ label: "Issuer porter uses now", value: c.issuer }] : [],
        retry: false,
      };
    case "too_many_groups":
      return {
        title: "Your Okta account is in too many groups for the groups claim",
        summary:
          'Okta refused to issue the ID token: "The groups claim matched too many groups and must be configured to match fewer groups". Okta puts at most 100 groups in the claim; narrow the claim filter to the groups porter uses.',
        audience: "admin",
        steps: [
          `In the Okta Admin Console open ${PLACES.signOn}.`,
          'Under "OpenID Connect ID Token" click Edit.',
          `Keep the Groups claim name "${c?.groupsClaim ?? "groups"}", set the filter to "Matches regex" and enter a pattern that matches only the groups porter maps to roles (fewer than 100 per user), for example the value below.`,
          "Click Save, then sign in again.",
        ],
        values: [{ label: "Example groups claim filter (Matches regex)", value: "^(Port .*|Engineering|team-.*)$" }],
        retry: true,
      };
    case "invalid_client":
      return {
        title: "Okta rejected porter's client credentials",
        summary:
          "The token request was refused with invalid_client: the client ID or client secret porter uses is not the app's current one.",
        audience: "admin",
        steps: [
          `In the Okta Admin Console open ${PLACES.clientCredentials}.`,
          "Check that the Client ID equals the value below, copy the current Client secret (or generate a new one) and set it as porter's OKTA_CLIENT_SECRET.",
          'For a "Single-Page" app (no secret), set Client authentication to "None" and leave OKTA_CLIENT_SECRET empty.',
          "Restart porter.",
        ],
        values: c ? [{ label: "Client ID porter uses", value: c.clientId }] : [],
        retry: false,
      };
    case "issuer_unreachable":
      return {
        title: "porter cannot reach Okta right now",
        summary: `The porter server could not connect to ${host} over HTTPS (port 443), so sign-in cannot start. Your account is fine; this is a network or configuration problem on porter's side.`,
        audience: "admin",
        steps: [
          `Ask the network team to allow outbound HTTPS (TCP 443) from the porter servers to ${host}, and port 80 to the certificate revocation (OCSP/CRL) hosts.`,
          "If a proxy inspects TLS, exempt the Okta domain from inspection.",
          "GET /api/health on porter shows whether discovery works again.",
        ],
        values: c ? [{ label: "Issuer", value: c.issuer }] : [],
        retry: true,
      };
    case "issuer_timeout":
      return {
        title: "Okta did not answer in time",
        summary: `porter asked Okta at ${host} to finish your sign-in, and Okta did not answer within ${String(OKTA_CALL_TIMEOUT_MS / 1000)} seconds, so porter stopped waiting. Your account is fine; nothing was changed.`,
        audience: "user",
        steps: [
          "Try signing in again in a minute.",
          `If it keeps happening, your Okta administrator can check status.okta.com and Okta Admin Console > ${PLACES.systemLog} for slow or failed token requests from porter's client.`,
        ],
        values: c ? [{ label: "Issuer", value: c.issuer }] : [],
        retry: true,
      };
    case "unknown_connection":
      return {
        title: "Unknown sign-in link",
        summary:
          "This sign-in link does not match any organization on this porter deployment. Check the link with your administrator.",
        audience: "user",
        steps: [],
        values: [],
        retry: false,
      };
    case "wrong_region_callback": {
      const u = ctx.urls;
      return {
        title: "Okta sent the sign-in to the wrong region",
        summary: u
          ? `Your organization lives in the ${u.home.region.toUpperCase()} region, but Okta sent the sign-in back to the ${u.here.region.toUpperCase()} deployment. porter refused it: the Okta app lists the wrong region's sign-in redirect URI.`
          : "Okta sent the sign-in back to a porter deployment in another region than your organization's. porter refused it.",
        audience: "admin",
        steps: [
          `${inAdminConsole(PLACES.signInRedirectUris)}.`,
          u
            ? `Replace ${u.here.signInRedirectUri} with ${u.home.signInRedirectUri} (only the ${u.home.region.toUpperCase()} one).`
            : "Replace the other region's URI with your region's.",
          "Save, then sign in again.",
        ],
        values: u
          ? [
              { label: `Register (${u.home.region.toUpperCase()})`, value: u.home.signInRedirectUri },
              { label: `Remove (${u.here.region.toUpperCase()})`, value: u.here.signInRedirectUri },
            ]
          : [],
        retry: false,
      };
    }
    case "initiate_iss_mismatch":
      return {
        title: "This Okta sign-in link is not for this organization",
        summary:
          "Okta (or someone) started a sign-in here with an issuer (iss) that is not this organization's Okta authorization server, or without one. porter refuses it: it only starts sign-ins its own Okta org asked for.",
        audience: "admin",
        steps: [
          `${inAdminConsole(PLACES.login)}: check that the Initiate login URI is this organization's (below) and that the app belongs to the Okta org porter is connected to.`,
          "If porter is connected to a custom authorization server, its issuer is what Okta must send; the audit log shows the iss that arrived under the reference below.",
        ],
        values: ctx.urls ? [{ label: "Initiate login URI", value: ctx.urls.home.initiateLoginUri }] : [],
        retry: false,
      };
    case "unsolicited_token":
      return {
        title: "Okta sent a token directly: porter does not accept that",
        summary:
          "The Okta app is set to send an ID token straight to porter when a tile is clicked. That mode skips PKCE, state and nonce, so porter refuses every token it did not ask for.",
        audience: "admin",
        steps: [
          `${inAdminConsole(PLACES.login)} > Login initiated by: Either Okta or App.`,
          'Login flow: choose "Redirect to app to initiate login (OIDC Compliant)" (not "Send ID Token directly to app").',
          "Initiate login URI: the value below. Save, then click the tile again.",
        ],
        values: ctx.urls ? [{ label: "Initiate login URI", value: ctx.urls.home.initiateLoginUri }] : [],
        retry: false,
      };
    case "organization_busy":
      return {
        title: "Too many sign-ins for your organization right now",
        summary:
          "More people of your organization signed in to porter in the last minute than its limit allows. Your account is fine; wait a minute and sign in again.",
        audience: "user",
        steps: [
          "If it keeps happening, a porter operator can raise the organization's limit (RATE_LIMITS sign_in.organization); keep it under your Okta org's own limit for /authorize and /token (Okta Admin Console > Reports > Rate Limits).",
        ],
        values: [],
        retry: true,
      };
    case "not_provisioned":
      return {
        title: "Okta has not provisioned you to porter yet",
        summary:
          "This organization lets people sign in only after Okta has created their account in porter over SCIM. Okta has not sent yours.",
        audience: "admin",
        steps: [
          `In the Okta Admin Console open ${PLACES.assignments} and assign this user (or a group they belong to): Okta then provisions them.`,
          `If they are assigned already, open ${PLACES.provisioningToApp} and check that "Create Users" is enabled, then open the user's row under Assignments and choose "Retry" if Okta shows a provisioning error.`,
          `Check ${PLACES.provisioningIntegration}: the SCIM connector base URL and token must be the ones on porter's Provisioning page.`,
        ],
        values: [],
        retry: true,
      };
    case "deprovisioned":
      return {
        title: "Your porter access was deactivated in Okta",
        summary:
          "Okta told porter over SCIM that your account is deactivated (you were suspended, deactivated, or unassigned from the porter app), so porter does not let you sign in.",
        audience: "admin",
        steps: [
          `To restore access, an Okta admin reactivates the user (${PLACES.people}) or assigns them to the app again (${PLACES.assignments}).`,
          "Okta then sends active: true to porter, and the person can sign in at once; their roles come back from their pushed groups.",
        ],
        values: [],
        retry: true,
      };
    case "configuration":
      return {
        title: "Sign-in failed because of a server problem",
        summary:
          "porter could not complete the sign-in. The details are in the server log and the audit log under the reference below.",
        audience: "admin",
        steps: [],
        values: [],
        retry: true,
      };
  }
}
