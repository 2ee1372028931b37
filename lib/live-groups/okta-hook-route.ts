import "server-only";
import { overLimit, tooManyRequests } from "../limits/limits";
import { after } from "next/server";
import { auditFlood } from "../audit";
import { getConfig, getConnection } from "../config";
import { getDb } from "../db";
import { requestClient } from "../http/client-ip";
import { jsonError, toErrorResponse } from "../http/error-response";
import { logger } from "../log";
import { isAppError } from "../core/app-error";
import { readHookDelivery, verificationResponse } from "../okta/event-hook";
import { applyPendingOktaEvents, enqueueOktaEvents } from "./okta-events";
import { organizationIdFor } from "../organizations/organizations";

export const NO_STORE = { "cache-control": "no-store" };

/** The connection an Okta-facing endpoint serves, when it lives in this region; else null (404). */
export function knownHere(name: string) {
  const connection = getConnection(name);
  return connection && connection.region === getConfig().region ? connection : null;
}

/**
 * Answers a refused Okta call (a bad secret or token, a malformed body, the body limit's 413) and records
 * it, aggregated per reason, address and minute so a flood cannot fill the log. Anything else is a 500.
 */
export async function refuseOktaCall(
  req: Request,
  err: unknown,
  type: "okta.hook_rejected" | "okta.logout_rejected",
  organizationId: string,
  connection: string,
): Promise<Response> {
  if (isAppError(err)) {
    const refusal = err;
    await auditFlood({
      type,
      organizationId,
      connection,
      ...requestClient(req.headers),
      reason: refusal.code,
      details: { reason: refusal.userMessage },
    });
  }
  return toErrorResponse(err, NO_STORE);
}

/** GET /api/okta/<connection>/event-hook: Okta's one-time verification. */
export async function eventHookVerification(req: Request, name: string): Promise<Response> {
  const connection = knownHere(name);
  if (!connection) return jsonError(404, "not_found", "No Event Hook at this address.", NO_STORE);
  const limited = await overLimit(req, "okta", connection.name);
  if (limited) return tooManyRequests(limited);
  return verificationResponse(req);
}

/**
 * POST /api/okta/<connection>/event-hook: authenticates the delivery, stores its events durably, answers
 * 204 at once (far inside Okta's 3 s), and applies them after answering. A crash after the answer loses
 * nothing: pending events are applied at the next delivery and at start.
 */
export async function eventHookDelivery(req: Request, name: string): Promise<Response> {
  const connection = knownHere(name);
  if (!connection) return jsonError(404, "not_found", "No Event Hook at this address.", NO_STORE);
  const db = await getDb();
  const organizationId = await organizationIdFor(db, connection.name);
  const limited = await overLimit(req, "okta", connection.name);
  if (limited) return tooManyRequests(limited);
  try {
    const delivery = await readHookDelivery(req, connection);
    await enqueueOktaEvents(db, {
      organizationId,
      connection: connection.name,
      deliveryId: delivery.deliveryId,
      source: "event_hook",
      events: delivery.events,
    });
  } catch (err) {
    return refuseOktaCall(req, err, "okta.hook_rejected", organizationId, connection.name);
  }
  after(async () => {
    await applyPendingOktaEvents(await getDb(), organizationId, connection).catch((err: unknown) => {
      logger.error({ err, connection: connection.name }, "okta events could not be applied; they stay queued");
    });
  });
  return new Response(null, { status: 204, headers: NO_STORE });
}
