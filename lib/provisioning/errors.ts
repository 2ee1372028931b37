import { AppError } from "../core/app-error";

/**
 * SCIM's errors (RFC 7644 §3.12): the `scimType` codes, and the plain HTTP refusals a SCIM client gets in
 * the same error schema. One table from code to status.
 */
export const SCIM_ERROR_STATUS = {
  invalidFilter: 400,
  tooMany: 400,
  uniqueness: 409,
  mutability: 400,
  invalidSyntax: 400,
  invalidPath: 400,
  noTarget: 400,
  invalidValue: 400,
  invalidVers: 400,
  sensitive: 400,
  unauthorized: 401,
  notFound: 404,
  methodNotAllowed: 405,
  payloadTooLarge: 413,
  unsupportedMediaType: 415,
} as const;
export type ScimErrorCode = keyof typeof SCIM_ERROR_STATUS;

/** The codes that are RFC 7644 `scimType` values (the rest are plain HTTP refusals). */
const SCIM_TYPES: ReadonlySet<ScimErrorCode> = new Set([
  "invalidFilter",
  "tooMany",
  "uniqueness",
  "mutability",
  "invalidSyntax",
  "invalidPath",
  "noTarget",
  "invalidValue",
  "invalidVers",
  "sensitive",
]);

export class ScimError extends AppError<ScimErrorCode> {
  protected readonly statuses = SCIM_ERROR_STATUS;
  get scimType(): string | undefined {
    return SCIM_TYPES.has(this.code) ? this.code : undefined;
  }
}

/** A SCIM error whose detail is the message a person acts on (it is also the log message). */
export const scimError = (code: ScimErrorCode, detail: string): ScimError =>
  new ScimError({ code, message: detail, userMessage: detail });

export const notFound = (what: "User" | "Group", id: string): ScimError =>
  scimError("notFound", `No ${what} with id "${id.slice(0, 100)}" in this organization.`);
