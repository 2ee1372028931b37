import "server-only";
import { ZodError, type z } from "zod";
import { organizationNamed, ruleSetFor } from "../organizations";
import { type PreviewView } from "../rules";
import { accessDeniedEvent, audit } from "../audit";
import { getDb } from "../db";
import { isAppError } from "../core/app-error";
import { RequestError } from "../core/request-error";
import { requestClient } from "../http/client-ip";
import { toErrorResponse } from "../http/error-response";
import { logger } from "../log";
import { forbiddenError, hasPermission, type Permission, type Principal } from "../rbac";
import type { PorterSessionView } from "./config";
import { getSessionView } from "./index";

export function principalFromView(view: PorterSessionView): Principal {
  return {
    kind: "user",
    organizationId: view.organizationId,
    connection: view.connection,
    actor: view.user.email ?? view.user.sub,
    subject: view.user.sub,
    roles: view.roles,
    permissions: view.permissions,
    teams: view.groups,
  };
}

/** A group matcher that would grant some permission, for the no-access page. */
export interface GrantingMatcher {
  match: "exact" | "regex" | "break-glass";
  pattern: string;
  role: string;
}

/** Which groups would give this permission (any permission when null), in this organization. */
export async function grantingMatchers(
  organizationId: string,
  connectionName: string,
  permission: Permission | null,
): Promise<GrantingMatcher[]> {
  const db = await getDb();
  const ruleSet = await ruleSetFor(db, await organizationNamed(db, connectionName));
  return ruleSet.grantingMatchers.filter((m) => {
    const permissions = ruleSet.permissionsOf([m.role]);
    return permission === null ? permissions.length > 0 : permissions.includes(permission);
  });
}

export type PageAccess =
  | { status: "signed_out" }
  | { status: "no_access"; view: PorterSessionView; granting: GrantingMatcher[] }
  | { status: "forbidden"; view: PorterSessionView; missing: Permission; granting: GrantingMatcher[] }
  | { status: "ok"; view: PorterSessionView; principal: Principal };

/**
 * The check every page makes. A person with no permission at all gets the no-access page (which names
 * the groups that would grant access), one without this permission a 403 page naming it.
 */
export async function getPageAccess(permission: Permission): Promise<PageAccess> {
  const view = await getSessionView();
  if (!view) return { status: "signed_out" };
  if (view.permissions.length === 0)
    return { status: "no_access", view, granting: await grantingMatchers(view.organizationId, view.connection, null) };
  if (!view.permissions.includes(permission)) {
    await audit(accessDeniedEvent(principalFromView(view), "page", permission));
    return {
      status: "forbidden",
      view,
      missing: permission,
      granting: await grantingMatchers(view.organizationId, view.connection, permission),
    };
  }
  return { status: "ok", view, principal: principalFromView(view) };
}

/** What a server action answers; forms show `error.message` (and `fix`) next to the button. */
export type ActionState =
  | { status: "idle" }
  | { status: "ok"; message: string }
  /** A change shown before it is saved (rules): the form then offers to save exactly this. */
  | { status: "preview"; preview: PreviewView; values: Record<string, string | string[]>; notice?: string | undefined }
  | {
      status: "error";
      error: { code: string; message: string; fix?: string | undefined };
      fields?: Record<string, string>;
    };

export const IDLE: ActionState = { status: "idle" };

/**
 * Wraps a server action: anyone can call an action directly (it is a POST endpoint), so every call
 * re-checks the session and the permission on the server, validates its input with zod, and turns
 * errors into a state the form can show. Refusals are audited.
 */
export function action<S extends z.ZodType>(
  schema: S,
  permission: Permission,
  name: string,
  run: (input: z.infer<S>, principal: Principal) => Promise<string | ActionState>,
): (previous: ActionState, form: FormData) => Promise<ActionState> {
  return async (_previous, form) => {
    const view = await getSessionView();
    if (!view)
      return { status: "error", error: { code: "unauthenticated", message: "Your session has ended. Sign in again." } };
    const principal = principalFromView(view);
    if (!hasPermission(principal, permission)) {
      await audit(accessDeniedEvent(principal, name, permission));
      return errorState(forbiddenError(permission, name.replace(/[._]/g, " ")));
    }
    const parsed = schema.safeParse(formToObject(form));
    if (!parsed.success) {
      const fields: Record<string, string> = {};
      for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? "form")] ??= issue.message;
      return { status: "error", error: { code: "invalid_input", message: Object.values(fields).join(" ") }, fields };
    }
    try {
      const result = await run(parsed.data, principal);
      return typeof result === "string" ? { status: "ok", message: result } : result;
    } catch (err) {
      if (err instanceof ZodError)
        return {
          status: "error",
          error: { code: "invalid_input", message: err.issues.map((i) => i.message).join(" ") },
        };
      return errorState(err);
    }
  };
}

/** Form fields as an object; a field sent several times (checkboxes) becomes an array. Files are ignored. */
function formToObject(form: FormData): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of form.entries()) {
    if (key.startsWith("$ACTION") || typeof value !== "string") continue;
    const existing = out[key];
    out[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}

function errorState(err: unknown): ActionState {
  if (isAppError(err)) return { status: "error", error: { code: err.code, message: err.userMessage, fix: err.fix } };
  logger.error({ err }, "server action failed");
  return {
    status: "error",
    error: { code: "internal_error", message: "Something went wrong on our side. It has been logged." },
  };
}

/**
 * Wraps a route handler used from the console (exports): a valid session and `permission`, checked on
 * the server for every request; 401 JSON when signed out, 403 JSON naming the permission (audited).
 */
export function withPermission<P = Record<string, never>>(
  permission: Permission,
  name: string,
  handler: (req: Request, ctx: { principal: Principal; view: PorterSessionView; params: P }) => Promise<Response>,
): (req: Request, ctx: { params: Promise<P> }) => Promise<Response> {
  return async (req, ctx) => {
    const noStore = { "cache-control": "no-store" };
    const view = await getSessionView();
    if (!view)
      return toErrorResponse(
        new RequestError({
          code: "unauthenticated",
          message: "no session",
          userMessage: "Sign in first: this request carries no valid porter session.",
        }),
        noStore,
      );
    const principal = principalFromView(view);
    if (!hasPermission(principal, permission)) {
      await audit(accessDeniedEvent(principal, name, permission, requestClient(req.headers)));
      return toErrorResponse(forbiddenError(permission, name.replace(/[._]/g, " ")), noStore);
    }
    try {
      return await handler(req, { principal, view, params: await ctx.params });
    } catch (err) {
      return toErrorResponse(err, noStore);
    }
  };
}
