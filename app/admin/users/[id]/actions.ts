"use server";

import { z } from "zod";
import { getUserDetail } from "@/lib/people";
import { actedBy } from "@/lib/audit";
import { action } from "@/lib/auth/access";
import { revokeUserSessions } from "@/lib/sessions/store";
import { getDb } from "@/lib/db";
import { RbacError } from "@/lib/rbac";

/** "End all sessions": every live porter session of the person ends now (their next request is refused), audited. */
export const endSessionsAction = action(
  z.object({ userId: z.uuid("Unknown person.") }),
  "users.write",
  "sessions.end_all",
  async (input, principal) => {
    const db = await getDb();
    // Scoped to the admin's organization: another organization's person is "not found".
    const detail = await getUserDetail(db, principal.organizationId, input.userId);
    if (!detail)
      throw new RbacError({
        code: "not_found",
        message: "no such user",
        userMessage: "There is no such person in your organization.",
      });
    const label = detail.user.email ?? detail.user.sub;
    const ended = await revokeUserSessions(db, principal.organizationId, input.userId, "ended_by_admin", (count) => ({
      type: "session.revoked",
      ...actedBy(principal),
      target: `user:${input.userId}`,
      targetLabel: label,
      reason: "ended_by_admin",
      details: { sessions: count, by: principal.actor },
    }));
    return ended === 0
      ? `${label} had no live session.`
      : `Ended ${String(ended)} session${ended === 1 ? "" : "s"} of ${label}: their next request needs a new sign-in.`;
  },
);
