/** The Security Event Token types porter reads (CAEP 1.0, SSF 1.0), and the delivery method it registers. */
export const CAEP_SESSION_REVOKED = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
export const CAEP_CREDENTIAL_CHANGE = "https://schemas.openid.net/secevent/caep/event-type/credential-change";
export const SSF_VERIFICATION = "https://schemas.openid.net/secevent/ssf/event-type/verification";
export const SSF_STREAM_UPDATED = "https://schemas.openid.net/secevent/ssf/event-type/stream-updated";
/** RFC 8935 push delivery. */
export const PUSH_DELIVERY = "urn:ietf:rfc:8935";
/** The two event types Okta transmits (OKTA-FACTS §4): what porter's stream asks for. */
export const REQUESTED_EVENTS = [CAEP_SESSION_REVOKED, CAEP_CREDENTIAL_CHANGE] as const;
export const SET_CONTENT_TYPE = "application/secevent+jwt";
