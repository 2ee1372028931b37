/** Okta events that change a person's groups. */
export const MEMBERSHIP_EVENT_TYPES = ["group.user_membership.add", "group.user_membership.remove"] as const;
/** Okta events after which the person may not keep a porter session. */
export const END_SESSION_EVENT_TYPES = [
  "user.lifecycle.deactivate",
  "user.lifecycle.suspend",
  "user.lifecycle.delete.initiated",
  "application.user_membership.remove",
  "user.session.clear",
] as const;
/** Every Okta event type porter acts on: the Event Hook's subscription and the System Log filter. */
export const HANDLED_EVENT_TYPES: readonly string[] = [...MEMBERSHIP_EVENT_TYPES, ...END_SESSION_EVENT_TYPES];
