import { z } from "zod";
import { isAppError } from "../../core/app-error";
import { FIXES, inAdminConsole, PLACES } from "../admin-console";
import { APP, type Check } from "./types";

/** The part of Okta's Apps API app object the check reads. */
const appSchema = z.object({
  id: z.string(),
  label: z.string().optional(),
  status: z.string(),
  signOnMode: z.string(),
  visibility: z
    .object({ hide: z.object({ web: z.boolean().optional() }).partial().optional() })
    .partial()
    .optional(),
  settings: z.object({
    oauthClient: z.object({
      redirect_uris: z.array(z.string()).default([]),
      post_logout_redirect_uris: z.array(z.string()).default([]),
      initiate_login_uri: z.string().optional(),
      grant_types: z.array(z.string()).default([]),
      application_type: z.string().optional(),
      idp_initiated_login: z.object({ mode: z.string() }).partial().optional(),
    }),
  }),
});

interface Finding {
  level: "fail" | "warn";
  text: string;
  fix: string;
  value?: string;
}

/**
 * Reads the Okta app through the Apps API (GET /api/v1/apps/{client id}, SSWS token) and checks its
 * settings against porter's: type, grant types, redirect URIs for this region, sign-out URI, initiate
 * login URI and mode, tile visibility, status. (The groups claim of an app is not in the public Apps API:
 * the groups_claim check reads it from a real sign-in instead.)
 */
export const appSettingsCheck: Check = async (ctx) => {
  const okta = ctx.okta;
  if (!okta) {
    return {
      status: "skipped",
      message:
        "Skipped: reading the Okta app's own settings needs an Okta API credential for this connection (an API Services app, or an API token).",
      evidence: [],
      fix: `${FIXES.serviceApp("porter's API Services app")} Or: ${FIXES.apiToken()}`,
    };
  }
  const path = `/api/v1/apps/${encodeURIComponent(ctx.connection.clientId)}`;
  const evidence = [`GET ${okta.orgUrl}${path} (${okta.describe()})`];
  let res: { status: number; body: unknown };
  try {
    res = await okta.getApp(ctx.connection.clientId);
  } catch (err) {
    return {
      status: "fail",
      message: `The Apps API could not be reached: ${isAppError(err) ? err.userMessage : (err as Error).message}`,
      evidence,
      fix: isAppError(err) ? (err.fix ?? null) : null,
    };
  }
  const { body } = res;
  const summary = body && typeof body === "object" && "errorSummary" in body ? String(body.errorSummary) : "";
  evidence.push(`-> HTTP ${String(res.status)}${summary ? ` ${summary}` : ""}`);
  const serviceApp = okta.kind === "service_app";
  if (res.status === 401)
    return {
      status: "fail",
      message: serviceApp
        ? "Okta refused porter's API Services app token (invalid, or the app is inactive)."
        : "Okta refused the API token (invalid or expired).",
      evidence,
      fix: serviceApp ? FIXES.serviceApp(okta.describe()) : FIXES.apiToken(),
    };
  if (res.status === 403)
    return {
      status: "fail",
      message: serviceApp
        ? "porter's API Services app may not read applications (403): it lacks the okta.apps.read scope."
        : "The API token may not read applications (403): its admin lacks the permission.",
      evidence,
      fix: FIXES.apiPermissions(),
    };
  if (res.status === 404)
    return {
      status: "fail",
      message: `Okta has no app with the client ID ${ctx.connection.clientId} in this org.`,
      evidence,
      fix: FIXES.clientId(),
      value: ctx.connection.clientId,
    };
  const parsed = appSchema.safeParse(body);
  if (res.status !== 200 || !parsed.success)
    return {
      status: "warn",
      message: `The Apps API answered HTTP ${String(res.status)} with an unexpected body.`,
      evidence,
      fix: null,
    };
  const app = parsed.data;
  const oc = app.settings.oauthClient;
  evidence.push(
    `app "${app.label ?? app.id}": ${app.status}, ${app.signOnMode}, type ${oc.application_type ?? "?"}, grant types ${oc.grant_types.join(", ")}, IdP-initiated ${oc.idp_initiated_login?.mode ?? "?"}, tile ${app.visibility?.hide?.web ? "hidden" : "visible"}`,
  );

  const general = inAdminConsole(PLACES.general);
  const findings: Finding[] = [];
  if (app.status !== "ACTIVE") findings.push({ level: "fail", text: "the app is not active", fix: `${APP}: Activate` });
  if (app.signOnMode !== "OPENID_CONNECT")
    findings.push({
      level: "fail",
      text: `the app signs on with ${app.signOnMode}, not OpenID Connect`,
      fix: "Create an OIDC - OpenID Connect app integration",
    });
  const spa = !ctx.connection.clientSecret;
  if (oc.application_type && oc.application_type !== (spa ? "browser" : "web")) {
    findings.push({
      level: "warn",
      text: `the app type is ${oc.application_type}, porter is set up as a ${spa ? "Single-Page (public) client" : "Web (confidential) client"}`,
      fix: `${general}: check the client authentication and porter's secret`,
    });
  }
  if (!oc.grant_types.includes("authorization_code"))
    findings.push({
      level: "fail",
      text: "Authorization Code is not an allowed grant type",
      fix: `${general} > Grant type: check Authorization Code`,
    });
  if (oc.grant_types.includes("implicit"))
    findings.push({
      level: "warn",
      text: "the implicit grant is on but porter never uses it (the OAuth 2.0 Security BCP deprecates it)",
      fix: `${general} > Grant type: uncheck Implicit (hybrid)`,
    });
  if (!oc.redirect_uris.includes(ctx.urls.signInRedirectUri)) {
    const other = oc.redirect_uris.includes(ctx.otherUrls.signInRedirectUri);
    findings.push({
      level: "fail",
      text: other
        ? `the sign-in redirect URIs list the ${ctx.otherUrls.region.toUpperCase()} callback instead of the ${ctx.urls.region.toUpperCase()} one`
        : "the sign-in redirect URIs do not list porter's",
      fix: `${general} > Login > Sign-in redirect URIs: ${other ? `replace ${ctx.otherUrls.signInRedirectUri} with` : "add"} the value below`,
      value: ctx.urls.signInRedirectUri,
    });
  }
  if (!oc.post_logout_redirect_uris.includes(ctx.urls.signOutRedirectUri))
    findings.push({
      level: "warn",
      text: "the sign-out redirect URIs do not list porter's",
      fix: `${general} > Login > Sign-out redirect URIs: add the value below`,
      value: ctx.urls.signOutRedirectUri,
    });
  const mode = oc.idp_initiated_login?.mode;
  if (mode === "OKTA") {
    findings.push({
      level: "fail",
      text: 'IdP-initiated login sends the ID token directly ("Send ID Token directly to app"), which porter refuses',
      fix: `${general} > Login > Login flow: Redirect to app to initiate login (OIDC Compliant)`,
      value: ctx.urls.initiateLoginUri,
    });
  } else if (mode !== "SPEC") {
    findings.push({
      level: "warn",
      text: "login from the Okta dashboard is off (Login initiated by: App Only)",
      fix: `${general} > Login > Login initiated by: Either Okta or App, Redirect to app to initiate login (OIDC Compliant), Initiate login URI below`,
      value: ctx.urls.initiateLoginUri,
    });
  }
  if (mode && mode !== "DISABLED" && oc.initiate_login_uri !== ctx.urls.initiateLoginUri)
    findings.push({
      level: "fail",
      text: "the Initiate login URI is not porter's",
      fix: `${general} > Login > Initiate login URI: the value below`,
      value: ctx.urls.initiateLoginUri,
    });
  if (app.visibility?.hide?.web)
    findings.push({
      level: "warn",
      text: "the app's tile is hidden from users' Okta dashboard",
      fix: `${general} > App Settings > Application visibility: uncheck "Do not display application icon to users"`,
    });

  if (findings.length === 0)
    return {
      status: "pass",
      message:
        "The Okta app's settings match porter's (type, grant types, redirect URIs, initiate login URI and mode, tile visible, active).",
      evidence,
      fix: null,
    };
  const worst = findings.some((f) => f.level === "fail") ? "fail" : "warn";
  const first = findings.find((f) => f.level === worst) ?? findings[0];
  return {
    status: worst,
    message: `The Okta app's settings differ from porter's: ${findings.map((f) => f.text).join("; ")}.`,
    evidence: [
      ...evidence,
      ...findings.map((f) => `${f.level}: ${f.text} -> ${f.fix}${f.value ? ` (${f.value})` : ""}`),
    ],
    fix: findings.map((f) => f.fix).join(". "),
    ...(first?.value ? { value: first.value } : {}),
  };
};
