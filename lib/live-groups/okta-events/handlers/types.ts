import type { LogEventLike } from "../log-event";
import type { OktaEventOutcome } from "../outcome";

/** What one Okta event asks of porter, decided from the event alone; the applier carries it out in bulk. */
export type Intent =
  /** A membership changed: the person's groups gain or lose one. */
  | { kind: "membership"; added: boolean; group: string }
  /** A membership changed, and the person's whole list was re-read from Okta's Users API. */
  | { kind: "reread"; added: boolean; groups: readonly string[] }
  /** The person must lose access now (the one revocation path). */
  | { kind: "end_access" }
  /** Nothing to do, and why. */
  | { kind: "none"; outcome: Extract<OktaEventOutcome, { kind: "ignored" | "skipped" }> };

export interface HandlerContext {
  /** This organization's porter app (its Okta client ID is its app instance id). */
  connection: { clientId: string; groupsSource?: "claim" | "users-api" | "scim" };
  /** The person's whole group list when the event had to be completed from Okta's Users API. */
  reread: readonly string[] | null;
}

/** One family of Okta event types: a pure function from the event to what porter does about it. */
export type OktaEventHandler = (event: LogEventLike, ctx: HandlerContext) => Intent;
