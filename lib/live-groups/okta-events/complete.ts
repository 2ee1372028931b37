import { OktaApiError, type OktaClient } from "../../okta";
import { isMembershipType, handlerFor } from "./handlers";
import { groupOf, userOf, type LogEventLike } from "./log-event";
import type { OktaEventOutcome } from "./outcome";

export interface CompletedEvent {
  event: LogEventLike;
  /** The person's whole group list, when a membership event named no group and Okta's Users API was read. */
  reread: string[] | null;
  /** Why the event cannot be applied as it is. */
  problem: Extract<OktaEventOutcome, { kind: "skipped" }> | null;
}

/**
 * Fills in what a delivered event left out, from Okta's API when the organization has a credential: an
 * event with no user (actor/target null) is re-read from the System Log by its uuid; a membership event
 * that names no group has the person's whole group list re-read from the Users API. Without a credential,
 * or when Okta fails, the event is skipped with the reason (it stays recorded, with its outcome).
 */
export async function completeEvent(event: LogEventLike, okta: OktaClient | null): Promise<CompletedEvent> {
  const membership = isMembershipType(event.eventType);
  const namesUser = !!userOf(event)?.id;
  // Complete already: not an event porter acts on, or it names the person (and, for a membership, the group).
  if (!handlerFor(event.eventType) || (namesUser && (!membership || groupOf(event))))
    return { event, reread: null, problem: null };
  if (!okta)
    return {
      event,
      reread: null,
      problem: {
        kind: "skipped",
        reason: "no_credential",
        detail: `the event names no ${namesUser ? "group" : "user"}`,
      },
    };
  try {
    let full = event;
    if (!userOf(full)?.id) {
      const again = (await okta.findLogEvent(event.uuid, event.published)) as LogEventLike | null;
      if (!again || !userOf(again)?.id)
        return { event, reread: null, problem: { kind: "skipped", reason: "not_in_system_log" } };
      full = again;
    }
    const user = userOf(full);
    const reread =
      isMembershipType(full.eventType) && !groupOf(full) && user?.id ? await okta.listUserGroups(user.id) : null;
    return { event: full, reread, problem: null };
  } catch (err) {
    if (err instanceof OktaApiError)
      return { event, reread: null, problem: { kind: "skipped", reason: "okta_unavailable", detail: err.userMessage } };
    throw err;
  }
}
