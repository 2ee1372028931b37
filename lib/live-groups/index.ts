import "server-only";

export {
  applyPendingOktaEvents,
  countPending,
  describeOutcome,
  enqueueOktaEvents,
  HANDLED_EVENT_TYPES,
  outcomeCode,
  pruneOktaEvents,
  recentOktaEvents,
  type RecentOktaEvent,
  type AppliedEvent,
  type OktaEventOutcome,
  type OktaEventsContext,
} from "./okta-events";
export { oktaEventsContext } from "./context";
export { getLogCursor, pollSystemLog, type PollOutcome } from "./system-log-poll";
export { liveGroupsMode, liveGroupsModeFor, pollingIsCurrent, type LiveGroupsMode } from "./mode";
export { keepGroupsFresh, pollingKeepsCurrent, type StaleRejection } from "./freshness";
export { universalLogout } from "./universal-logout";
