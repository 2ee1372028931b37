import { AppError } from "../core/app-error";

export type OktaErrorCode =
  "issuer_unreachable" | "discovery_invalid" | "issuer_mismatch" | "id_token_invalid" | "id_token_signature_invalid";

export class OktaError extends AppError<OktaErrorCode> {}
