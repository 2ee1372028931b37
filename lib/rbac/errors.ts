import { PERMISSION_DESCRIPTIONS, type Permission } from "./permissions";

/** Every refusal of the rules engine, with its HTTP status: a throw names the code, never the status. */
export const RBAC_ERROR_STATUS = {
  invalid_rule: 400,
  /** The same matcher and role already exist. */
  rule_exists: 409,
  /** Nothing to change: the rule, filter or default role is already like this. */
  no_change: 400,
  unknown_role: 400,
  invalid_role: 400,
  role_in_use: 409,
  lockout: 409,
  not_found: 404,
  forbidden: 403,
  invalid_seed: 400,
  stale_preview: 409,
  confirmation_required: 409,
  admin_removed: 409,
} as const;
export type RbacErrorCode = keyof typeof RBAC_ERROR_STATUS;

/**
 * The brand of every porter error (lib/core's APP_ERROR: a registered symbol, so this pure room needs no
 * import from outside itself to carry it). isAppError() recognises an RbacError like any AppError.
 */
const APP_ERROR = Symbol.for("porter.app-error");

export class RbacError extends Error {
  readonly [APP_ERROR] = true;
  readonly code: RbacErrorCode;
  readonly userMessage: string;
  readonly fix: string | undefined = undefined;

  constructor(init: { code: RbacErrorCode; message: string; userMessage: string; cause?: unknown }) {
    super(init.message, { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.userMessage = init.userMessage;
  }

  get status(): number {
    return RBAC_ERROR_STATUS[this.code];
  }
}

/** 403 that names the missing permission and what it allows. */
export function forbiddenError(permission: Permission, what: string): RbacError {
  const message = `You need the permission ${permission} (${PERMISSION_DESCRIPTIONS[permission].toLowerCase()}) to ${what}.`;
  return new RbacError({ code: "forbidden", message, userMessage: message });
}
