import { groupOf } from "../log-event";
import type { OktaEventHandler } from "./types";

/**
 * group.user_membership.add and .remove: the direction is the handler's, never guessed from the type's
 * spelling. An event that names no group takes the person's list re-read from the Users API, if there is one.
 */
const membership =
  (added: boolean): OktaEventHandler =>
  (event, ctx) => {
    // Pushed groups are the authority: Okta sends the same change over SCIM.
    if (ctx.connection.groupsSource === "scim")
      return { kind: "none", outcome: { kind: "ignored", reason: "groups_pushed_over_scim" } };
    const group = groupOf(event);
    if (group) return { kind: "membership", added, group };
    if (ctx.reread) return { kind: "reread", added, groups: ctx.reread };
    return { kind: "none", outcome: { kind: "skipped", reason: "no_group" } };
  };

export const membershipAdded = membership(true);
export const membershipRemoved = membership(false);
