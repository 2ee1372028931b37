import { isAppError } from "../core/app-error";
import { isSignInErrorCode, OAUTH_ERROR_CODES, type SignInErrorCode } from "./errors";

export interface ClassifiedSignInError {
  code: SignInErrorCode;
  /** For the audit log and server logs: what went wrong, without secrets. */
  detail: string;
  /** The OAuth `error` the IdP sent, when it is one of the standard codes. */
  idpError?: string;
}

type ErrorLike = {
  [key: string]: unknown;
  type?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
  code?: unknown;
  error?: unknown;
  error_description?: unknown;
};

function chain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current && typeof current === "object"; depth += 1) {
    const e = current as ErrorLike;
    out.push(e);
    const cause = e.cause as ErrorLike | undefined;
    // Auth.js wraps the original as `cause.err`.
    current = cause && typeof cause === "object" && "err" in cause ? (cause as { err: unknown }).err : cause;
  }
  return out;
}

const str = (v: unknown) => (typeof v === "string" ? v : "");

/** What the IdP put on the callback (`error`, `error_description`): Auth.js keeps it out of its errors. */
export interface CallbackErrorParams {
  error: string;
  description: string;
}

function classifyIdpError(idp: CallbackErrorParams, detail: string): ClassifiedSignInError {
  const idpError = (OAUTH_ERROR_CODES as readonly string[]).includes(idp.error) ? idp.error : "other";
  const withIdp = { detail: `${detail} [${idp.error.slice(0, 64)}: ${idp.description.slice(0, 300)}]`, idpError };
  if (/not assigned to the client application/i.test(idp.description)) return { code: "user_not_assigned", ...withIdp };
  if (/groups claim matched too many groups/i.test(idp.description)) return { code: "too_many_groups", ...withIdp };
  if (idp.error === "access_denied") return { code: "access_denied", ...withIdp };
  return { code: "idp_error", ...withIdp };
}

/** Maps whatever Auth.js, oauth4webapi or porter threw during sign-in to one porter error code. */
export function classifySignInError(err: unknown, idp?: CallbackErrorParams | null): ClassifiedSignInError {
  const errors = chain(err);
  const detail = errors.map((e) => `${str(e.type) || str(e.name)}: ${str(e.message)}`.slice(0, 300)).join(" <- ");

  for (const e of errors) {
    if (isAppError(e)) {
      const code: string = e.code;
      if (isSignInErrorCode(code)) return { code, detail };
      if (code === "discovery_invalid") return { code: "issuer_mismatch", detail };
      if (code.startsWith("id_token")) return { code: "id_token_invalid", detail };
      continue;
    }
    // Auth.js errors carry a stable `type`; class names may be minified in a production bundle.
    const name = str(e.type) || str(e.name);
    const message = str(e.message);
    if (name === "OAuthCallbackError") return classifyIdpError(idp ?? { error: "", description: "" }, detail);
    if (name === "InvalidCheck") return { code: /nonce/i.test(message) ? "nonce_invalid" : "state_invalid", detail };
    if (e.code === "OAUTH_RESPONSE_BODY_ERROR") {
      const error = str(e.error);
      const description = str(e.error_description);
      const full = `${detail} [${error}: ${description.slice(0, 300)}]`;
      if (/groups claim matched too many groups/i.test(description)) return { code: "too_many_groups", detail: full };
      if (error === "invalid_client") return { code: "invalid_client", detail: full };
      if (error === "invalid_grant") return { code: "code_invalid", detail: full };
      return { code: "idp_error", detail: full, idpError: "other" };
    }
    if (/"state"/.test(message)) return { code: "state_invalid", detail };
    if (/"nonce"/.test(message)) return { code: "nonce_invalid", detail };
    if (/"iss" \(issuer\) response parameter/.test(message)) return { code: "issuer_mismatch", detail };
    if (/JWT|ID Token|"alg"/.test(message)) return { code: "id_token_invalid", detail };
    if (name === "TimeoutError" || /aborted due to timeout/i.test(message)) return { code: "issuer_timeout", detail };
    if (
      name === "AbortError" ||
      /fetch failed|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET/.test(message) ||
      /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET/.test(str(e.code))
    ) {
      return { code: "issuer_unreachable", detail };
    }
  }
  return { code: "configuration", detail };
}
