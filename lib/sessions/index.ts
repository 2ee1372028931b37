import "server-only";

export {
  createSession,
  getActiveSession,
  readSession,
  hashSessionId,
  pruneSessions,
  revokeSession,
  revokeSessionAudited,
  type ActiveSession,
  type NewSession,
  type SessionCheck,
  type SessionRejection,
} from "./store";
export { checkSession, sessionCacheFor, SessionCache, SESSIONS_CHANNEL } from "./cache";
export { endAccess, endAccessNow, type AccessEnding } from "./end-access";
