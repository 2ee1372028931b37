import "server-only";

export { SignalError, type SignalErrorCode } from "./errors";
export { SET_CONTENT_TYPE, REQUESTED_EVENTS, CAEP_SESSION_REVOKED, CAEP_CREDENTIAL_CHANGE } from "./events";
export { transmitterMetadata, forgetTransmitterMetadata } from "./metadata";
export { verifySet } from "./set";
export { authorizationMatches, ensureStream, streamOf, SSF_SCOPES_FIX } from "./stream";
export { receiveSecurityEvent, recordRefusal, type SignalContext } from "./receive";
