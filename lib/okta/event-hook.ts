import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Connection } from "../config";
import { readBodyLimited } from "../core/read-body";
import { HookError } from "./errors";

export { HookError } from "./errors";

/** The most Okta batches in one delivery we read; Okta documents none (OKTA-FACTS: UNCONFIRMED). */
export const MAX_HOOK_BODY = 1024 * 1024;

const target = z.looseObject({
  id: z.string().max(200).optional(),
  type: z.string().max(100).optional(),
  alternateId: z.string().max(320).nullish(),
  displayName: z.string().max(500).nullish(),
});
/** One System Log LogEvent as porter reads it, from an Event Hook delivery or a System Log page alike. */
export const logEvent = z.looseObject({
  uuid: z.string().min(1).max(100),
  published: z
    .string()
    .max(40)
    .refine((v) => !Number.isNaN(Date.parse(v)), "is not a date"),
  eventType: z.string().min(1).max(200),
  actor: z.looseObject({}).nullish(),
  target: z.array(target).max(50).nullish(),
});
const envelope = z.looseObject({
  eventType: z.literal("com.okta.event_hook"),
  eventId: z.string().max(100).optional(),
  data: z.looseObject({ events: z.array(logEvent).max(1000) }),
});

export type OktaLogEvent = z.infer<typeof logEvent>;
export interface HookDelivery {
  deliveryId: string | null;
  events: OktaLogEvent[];
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Authenticates an Event Hook call by the connection's shared secret, in constant time (Okta sends a static
 * header, no signature). Refused: 404 when the organization has no hook configured, 401 otherwise.
 */
export function authenticateHookCall(
  headers: Headers,
  connection: Pick<Connection, "eventHookSecret" | "eventHookHeader">,
): void {
  if (!connection.eventHookSecret) {
    throw new HookError({
      code: "hook_not_configured",
      message: "no event hook secret configured",
      userMessage: "This organization has no Event Hook configured in porter.",
    });
  }
  const sent = headers.get(connection.eventHookHeader) ?? "";
  if (!timingSafeEqual(digest(sent), digest(connection.eventHookSecret))) {
    throw new HookError({
      code: "hook_unauthenticated",
      message: "event hook secret missing or wrong",
      userMessage: `The ${connection.eventHookHeader} header does not carry this organization's Event Hook secret.`,
    });
  }
}

/**
 * Reads and checks an authenticated delivery's body: Okta's envelope, LogEvents with a uuid, a published
 * time and a type. Everything else is refused with a 4xx Okta does not retry.
 */
export async function readHookBody(req: Request): Promise<HookDelivery> {
  const text = await readBodyLimited(req, MAX_HOOK_BODY);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HookError({
      code: "hook_malformed",
      message: "hook body is not JSON",
      userMessage: "The body is not JSON.",
    });
  }
  const parsed = envelope.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join(".") || "body";
    throw new HookError({
      code: "hook_malformed",
      message: `hook body invalid at ${where}`,
      userMessage: `The body is not an Okta Event Hook delivery (${where}: ${issue?.message ?? "invalid"}).`,
    });
  }
  return { deliveryId: parsed.data.eventId ?? null, events: parsed.data.data.events };
}

/** Both steps: the secret, then the body. */
export async function readHookDelivery(
  req: Request,
  connection: Pick<Connection, "eventHookSecret" | "eventHookHeader">,
): Promise<HookDelivery> {
  authenticateHookCall(req.headers, connection);
  return readHookBody(req);
}

/** The one-time verification (GET with x-okta-verification-challenge): echo it, or 400 without it. */
export function verificationResponse(req: Request): Response {
  const challenge = req.headers.get("x-okta-verification-challenge");
  if (!challenge || challenge.length > 1000) {
    return Response.json(
      {
        error: {
          code: "no_challenge",
          message: "Okta's verification request carries the x-okta-verification-challenge header; this one has none.",
        },
      },
      { status: 400, headers: { "cache-control": "no-store" } },
    );
  }
  return Response.json({ verification: challenge }, { headers: { "cache-control": "no-store" } });
}
