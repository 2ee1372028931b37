import { appOf } from "../log-event";
import type { OktaEventHandler } from "./types";

/**
 * application.user_membership.remove: the person was unassigned from an Okta app. Only an unassignment
 * from this organization's porter app (its AppInstance target, whose id is the app's client ID) ends their
 * porter sessions; one from any other app of the org changes nothing here.
 */
export const appUnassigned: OktaEventHandler = (event, ctx) => {
  const app = appOf(event);
  if (!app?.id) return { kind: "none", outcome: { kind: "ignored", reason: "no_app_named" } };
  if (app.id !== ctx.connection.clientId) return { kind: "none", outcome: { kind: "ignored", reason: "another_app" } };
  return { kind: "end_access" };
};
