import { AppError } from "../core/app-error";

/** Refusals of the service catalog, with their HTTP status. */
export const CATALOG_ERROR_STATUS = {
  /** No such service in the caller's organization (another organization's id is "not found" too). */
  service_not_found: 404,
  /** The PATCH names an owner team porter does not know: a mistake in the request, not a missing resource. */
  unknown_team: 400,
} as const;
export type CatalogErrorCode = keyof typeof CATALOG_ERROR_STATUS;

export class CatalogError extends AppError<CatalogErrorCode> {
  protected readonly statuses = CATALOG_ERROR_STATUS;
}
