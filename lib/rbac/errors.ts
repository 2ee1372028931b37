import { AppError } from "../core/app-error";
import { PERMISSION_DESCRIPTIONS, type Permission } from "./permissions";

export type RbacErrorCode =
  | "invalid_rule"
  | "unknown_role"
  | "invalid_role"
  | "role_in_use"
  | "lockout"
  | "not_found"
  | "forbidden"
  | "invalid_seed"
  | "stale_preview"
  | "confirmation_required"
  | "admin_removed";

export class RbacError extends AppError<RbacErrorCode> {}

/** 403 that names the missing permission and what it allows. */
export function forbiddenError(permission: Permission, what: string): RbacError {
  const message = `You need the permission ${permission} (${PERMISSION_DESCRIPTIONS[permission].toLowerCase()}) to ${what}.`;
  return new RbacError({ code: "forbidden", status: 403, message, userMessage: message });
}
