export { applyPendingOktaEvents, type AppliedEvent, type OktaEventsContext } from "./apply";
export {
  countPending,
  enqueueOktaEvents,
  OKTA_EVENTS_RETENTION_MS,
  pruneOktaEvents,
  recentOktaEvents,
  type RecentOktaEvent,
} from "./queue";
export { HANDLED_EVENT_TYPES, OKTA_EVENT_HANDLERS, type HandledOktaEventType } from "./handlers";
export { describeOutcome, outcomeCode, type OktaEventOutcome } from "./outcome";
export { withoutNul, type LogEventLike } from "./log-event";
