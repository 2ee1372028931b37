"use server";

import { z } from "zod";
import { actedBy } from "@/lib/audit";
import { action } from "@/lib/auth/access";
import { RequestError } from "@/lib/core/request-error";
import { getDb } from "@/lib/db";
import { getUserDetail } from "@/lib/people";
import { endAccessNow } from "@/lib/sessions";

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
      throw new RequestError({
        code: "not_found",
        message: "no such user",
        userMessage: "There is no such person in your organization.",
      });
    const { user } = detail;
    const label = user.email ?? user.sub;
    const [ended] = await endAccessNow(db, {
      organizationId: principal.organizationId,
      connection: principal.connection,
      people: [{ id: user.id, sub: user.sub, email: user.email }],
      cause: "ended_by_admin",
      by: actedBy(principal),
      details: { by: principal.actor },
    });
    const count = ended?.sessions ?? 0;
    return count === 0
      ? `${label} had no live session.`
      : `Ended ${String(count)} session${count === 1 ? "" : "s"} of ${label}: their next request needs a new sign-in.`;
  },
);
