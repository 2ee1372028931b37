/**
 * What applying one Okta event did, as a value (tests and the console read it; text is made at the edge,
 * by describeOutcome). Stored with the event (okta_events.outcome_code and outcome_detail).
 */
export type OktaEventOutcome =
  /** `confirmed`: Okta's Users API showed the change (the event was a notification); false: applied as sent. */
  | { kind: "applied"; effect: "membership_added" | "membership_removed"; group: string; confirmed: boolean }
  | { kind: "applied"; effect: "groups_reread"; added: boolean }
  | { kind: "applied"; effect: "access_ended"; sessions: number }
  | {
      kind: "ignored";
      reason:
        | "not_handled"
        | "unknown_person"
        | "older_than_applied"
        | "another_app"
        | "no_app_named"
        | "contradicted_by_okta"
        | "published_in_future"
        | "older_than_retention"
        | "groups_pushed_over_scim";
      group?: string;
    }
  | {
      kind: "skipped";
      reason: "no_user" | "no_group" | "no_credential" | "not_in_system_log" | "okta_unavailable" | "unconfirmed";
      detail?: string;
    };

/** The outcome's stable code, e.g. "applied.membership_removed", "ignored.unknown_person". */
export function outcomeCode(outcome: OktaEventOutcome): string {
  return `${outcome.kind}.${outcome.kind === "applied" ? outcome.effect : outcome.reason}`;
}

/** The outcome in words, for the console and logs. */
export function describeOutcome(outcome: OktaEventOutcome, eventType: string): string {
  switch (outcome.kind) {
    case "applied":
      switch (outcome.effect) {
        case "membership_added":
          return `applied: Okta added ${outcome.group}${outcome.confirmed ? " (confirmed by Okta's Users API)" : ""}`;
        case "membership_removed":
          return `applied: Okta removed ${outcome.group}${outcome.confirmed ? " (confirmed by Okta's Users API)" : ""}`;
        case "groups_reread":
          return `applied: Okta ${outcome.added ? "added a group" : "removed a group"} (the group list was re-read from the Users API)`;
        case "access_ended":
          return `applied: ${String(outcome.sessions)} session(s) ended`;
      }
      break;
    case "ignored":
      switch (outcome.reason) {
        case "not_handled":
          return `ignored: porter does not act on ${eventType}`;
        case "unknown_person":
          return "ignored: nobody in this organization has this Okta user id";
        case "older_than_applied":
          return `ignored: a later Okta event for ${outcome.group ?? "this group"} was already applied`;
        case "another_app":
          return "ignored: the unassignment is from another Okta app, not this organization's porter app";
        case "no_app_named":
          return "ignored: the unassignment names no app, so it cannot be this organization's porter app";
        case "contradicted_by_okta":
          return `ignored: Okta's Users API does not show this change to ${outcome.group ?? "the group"}; Okta's list was applied instead`;
        case "published_in_future":
          return "ignored: the event is dated more than 5 minutes in the future";
        case "groups_pushed_over_scim":
          return "ignored: this organization's groups are the ones Okta pushes over SCIM, which carries this change";
        case "older_than_retention":
          return "ignored: the event is older than the 30 days porter keeps Okta events (a replay)";
      }
      break;
    case "skipped":
      switch (outcome.reason) {
        case "no_user":
          return "skipped: the event names no user";
        case "no_group":
          return "skipped: the event names no group";
        case "no_credential":
          return `skipped: ${outcome.detail ?? "the event is incomplete"}, and re-reading it needs an Okta API token (not configured)`;
        case "not_in_system_log":
          return "skipped: the event names no user, and Okta's System Log has no fuller copy of it";
        case "okta_unavailable":
          return `skipped: re-reading it from Okta failed: ${outcome.detail ?? "unknown"}`;
        case "unconfirmed":
          return `skipped: an addition porter could not confirm with Okta (${outcome.detail ?? "unknown"}); the next full read applies it`;
      }
  }
  return outcomeCode(outcome);
}
