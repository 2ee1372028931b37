import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { oktaLogCursors, type OktaLogCursor } from "../db/schema";
import { logEvent, OktaApiError } from "../okta";
import {
  applyPendingOktaEvents,
  enqueueOktaEvents,
  HANDLED_EVENT_TYPES,
  type AppliedEvent,
  type OktaEventsContext,
} from "./okta-events";

const PAGE_LIMIT = 1000;
/** Pages read per poll at most; the rest waits for the next poll (the checkpoint keeps the place). */
const MAX_PAGES_PER_POLL = 10;
const LEASE_SECONDS = 60;
/** After Okta refuses the token (401/403): try again in an hour, not every poll (a permission is an admin's change). */
const REFUSED_BACKOFF_MS = 60 * 60 * 1000;

/** The first URL of an organization's polling: from now on (history is not replayed), ascending, our event types only. */
export function firstLogUrl(orgUrl: string, now: Date): string {
  const url = new URL(`${orgUrl}/api/v1/logs`);
  url.searchParams.set("since", now.toISOString());
  url.searchParams.set("sortOrder", "ASCENDING");
  url.searchParams.set("limit", String(PAGE_LIMIT));
  url.searchParams.set("filter", HANDLED_EVENT_TYPES.map((t) => `eventType eq "${t}"`).join(" or "));
  return url.toString();
}

export type PollOutcome =
  | { polled: false; why: string }
  | { polled: true; events: number; applied: AppliedEvent[] }
  | { polled: true; error: string };

/**
 * One poll of an organization's System Log (polling mode): takes the organization's lease (one node at a
 * time), follows the stored `next` link, stores the events in the same durable queue as the Event Hook
 * (deduplicated with it by uuid), keeps the new `next` link as the checkpoint, then applies the events
 * through the same path. Okta's refusals and rate limits are recorded and waited out.
 */
export async function pollSystemLog(db: Db, context: OktaEventsContext): Promise<PollOutcome> {
  const { okta, connection } = context;
  const organizationId = context.organization.id;
  if (!okta) return { polled: false, why: "no Okta API token" };
  await db.insert(oktaLogCursors).values({ organizationId, connection: connection.name }).onConflictDoNothing();
  const [lease] = await db
    .update(oktaLogCursors)
    .set({ leasedUntil: sql`now() + make_interval(secs => ${LEASE_SECONDS})`, lastPolledAt: sql`now()` })
    .where(
      and(
        eq(oktaLogCursors.organizationId, organizationId),
        or(isNull(oktaLogCursors.leasedUntil), lt(oktaLogCursors.leasedUntil, sql`now()`)),
        or(isNull(oktaLogCursors.blockedUntil), lt(oktaLogCursors.blockedUntil, sql`now()`)),
      ),
    )
    .returning();
  if (!lease) return { polled: false, why: "another node holds the lease, or Okta asked porter to wait" };
  let cursor = lease.nextUrl ?? firstLogUrl(okta.orgUrl, new Date());
  let seen = 0;
  try {
    for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
      const { items, next } = await okta.getPage(cursor);
      const events = items.flatMap((e) => {
        const parsed = logEvent.safeParse(e);
        return parsed.success ? [parsed.data] : [];
      });
      seen += await enqueueOktaEvents(db, {
        organizationId,
        connection: connection.name,
        deliveryId: null,
        source: "system_log",
        events,
      });
      // Polling mode: Okta always gives a next link; an empty or short page means "caught up".
      if (next) cursor = next;
      if (!next || items.length < PAGE_LIMIT) break;
    }
    await db
      .update(oktaLogCursors)
      .set({
        nextUrl: cursor,
        leasedUntil: null,
        lastSuccessAt: sql`now()`,
        lastError: null,
        lastErrorCode: null,
        blockedUntil: null,
        eventsSeen: sql`${oktaLogCursors.eventsSeen} + ${seen}`,
      })
      .where(eq(oktaLogCursors.organizationId, organizationId));
  } catch (err) {
    if (!(err instanceof OktaApiError)) throw err;
    const blockedUntil =
      err.retryAt ??
      (err.code === "okta_api_forbidden" || err.code === "okta_api_unauthorized"
        ? new Date(Date.now() + REFUSED_BACKOFF_MS)
        : null);
    await db
      .update(oktaLogCursors)
      // The checkpoint moves only as far as pages that were stored: nothing is skipped.
      .set({
        nextUrl: cursor,
        leasedUntil: null,
        lastError: `${err.userMessage}${err.fix ? ` ${err.fix}` : ""}`,
        lastErrorCode: err.code,
        blockedUntil,
      })
      .where(eq(oktaLogCursors.organizationId, organizationId));
    return { polled: true, error: err.userMessage };
  }
  return {
    polled: true,
    events: seen,
    applied: seen > 0 ? await applyPendingOktaEvents(db, context) : [],
  };
}

export async function getLogCursor(db: Db, organizationId: string): Promise<OktaLogCursor | null> {
  const [row] = await db.select().from(oktaLogCursors).where(eq(oktaLogCursors.organizationId, organizationId));
  return row ?? null;
}
