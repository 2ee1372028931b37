import { appUnassigned } from "./app-assignment";
import { endsAccess } from "./lifecycle";
import { membershipAdded, membershipRemoved } from "./membership";
import type { OktaEventHandler } from "./types";

export type { HandlerContext, Intent, OktaEventHandler } from "./types";

/**
 * The Okta event types porter acts on, each with its handler (one file per family). The Event Hook's
 * subscription and the System Log polling filter are derived from this table; a type that is not in it is
 * ignored and its outcome recorded, never applied. To act on a new type: one line here and its handler.
 */
export const OKTA_EVENT_HANDLERS = {
  "group.user_membership.add": membershipAdded,
  "group.user_membership.remove": membershipRemoved,
  "user.lifecycle.deactivate": endsAccess,
  "user.lifecycle.suspend": endsAccess,
  "user.lifecycle.delete.initiated": endsAccess,
  "user.session.clear": endsAccess,
  "application.user_membership.remove": appUnassigned,
} as const satisfies Record<string, OktaEventHandler>;

export type HandledOktaEventType = keyof typeof OKTA_EVENT_HANDLERS;
/** Every Okta event type porter acts on: the Event Hook's subscription and the System Log filter. */
export const HANDLED_EVENT_TYPES = Object.keys(OKTA_EVENT_HANDLERS) as HandledOktaEventType[];

export function handlerFor(eventType: string): OktaEventHandler | null {
  return Object.hasOwn(OKTA_EVENT_HANDLERS, eventType) ? OKTA_EVENT_HANDLERS[eventType as HandledOktaEventType] : null;
}

/** Event types after which a membership may be incomplete in the event itself (re-read from Okta when it is). */
export function isMembershipType(eventType: string): boolean {
  const handler = handlerFor(eventType);
  return handler === membershipAdded || handler === membershipRemoved;
}
