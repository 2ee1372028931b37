import { after } from "next/server";
import { withOktaEndpoint } from "@/lib/auth/okta-endpoint";
import { applyPendingOktaEvents, enqueueOktaEvents, oktaEventsContext } from "@/lib/live-groups";
import { logger } from "@/lib/log";
import { authenticateHookCall, readHookBody, verificationResponse } from "@/lib/okta";

/** Okta Event Hook: the one-time verification (GET), an echo that proves nothing and changes nothing. */
export const GET = withOktaEndpoint({
  what: "Event Hook",
  refused: "okta.hook_rejected",
  authenticate: null,
  handle: ({ req }) => Promise.resolve(verificationResponse(req)),
});

/**
 * Event deliveries (POST): the shared secret, then the events stored durably and 204 at once (far inside
 * Okta's 3 s); they are applied after the answer. A crash after the answer loses nothing: pending events
 * are applied at the next delivery and at start.
 */
export const POST = withOktaEndpoint({
  what: "Event Hook",
  refused: "okta.hook_rejected",
  authenticate: ({ req, connection }) => {
    authenticateHookCall(req.headers, connection);
  },
  handle: async ({ req, db, connection, organization }) => {
    const delivery = await readHookBody(req);
    await enqueueOktaEvents(db, {
      organizationId: organization.id,
      connection: connection.name,
      deliveryId: delivery.deliveryId,
      source: "event_hook",
      events: delivery.events,
    });
    after(async () => {
      await applyPendingOktaEvents(db, await oktaEventsContext(db, connection)).catch((err: unknown) => {
        logger.error({ err, connection: connection.name }, "okta events could not be applied; they stay queued");
      });
    });
    return new Response(null, { status: 204 });
  },
});
