import type { OktaEventHandler } from "./types";

/**
 * user.lifecycle.deactivate, .suspend, .delete.initiated and user.session.clear: the person may not keep
 * a porter session (Okta keeps suspended people's groups: nothing else changes).
 */
export const endsAccess: OktaEventHandler = () => ({ kind: "end_access" });
