import "server-only";

export {
  createSession,
  getActiveSession,
  hashSessionId,
  pruneSessions,
  revokeSession,
  revokeSessionAudited,
  type ActiveSession,
  type NewSession,
  type SessionRejection,
} from "./store";
export { endAccess, endAccessNow, type AccessEnding } from "./end-access";
