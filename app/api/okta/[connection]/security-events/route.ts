import { auditEvent, auditFlood } from "@/lib/audit";
import { withOktaEndpoint } from "@/lib/auth/okta-endpoint";
import { isAppError } from "@/lib/core/app-error";
import { readBodyLimited } from "@/lib/core/read-body";
import { RequestError } from "@/lib/core/request-error";
import {
  authorizationMatches,
  receiveSecurityEvent,
  recordRefusal,
  SET_CONTENT_TYPE,
  SignalError,
  streamOf,
} from "@/lib/signals";

/** A SET is a few kilobytes; anything larger is refused before it is read. */
const MAX_SET_BYTES = 64 * 1024;

/**
 * Okta's Shared Signals push (RFC 8935): the stream's authorization header first (401), then the body
 * (`application/secevent+jwt`, at most 64 KB) and the SET itself; 202 when accepted. A refused SET gets
 * 400 with RFC 8935's `{"err", "description"}`, is recorded on the stream (the connection page shows the
 * last one) and in the audit log, and ends nothing.
 */
export const POST = withOktaEndpoint({
  what: "Shared Signals endpoint",
  refused: "signals.refused",
  challenge: 'Bearer realm="porter Shared Signals"',
  authenticate: async ({ req, db, organization }) => {
    const stream = await streamOf(db, organization.id);
    if (!authorizationMatches(stream, req.headers.get("authorization")) || !stream)
      throw new SignalError({
        code: "authentication_failed",
        message: "security event push without the stream's authorization header",
        userMessage: "The Authorization header is missing or is not the one porter gave this organization's stream.",
      });
    return stream;
  },
  handle: async ({ req, db, connection, organization, client }, stream) => {
    try {
      const type = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
      if (type !== SET_CONTENT_TYPE)
        throw new SignalError({
          code: "invalid_request",
          message: `security event with content type ${type ?? ""}`,
          userMessage: `Send the SET as ${SET_CONTENT_TYPE} (got "${(type ?? "").slice(0, 60) || "nothing"}").`,
        });
      const body = (await readBodyLimited(req, MAX_SET_BYTES)).trim();
      await receiveSecurityEvent({ db, organization, connection, stream, client }, body);
      return new Response(null, { status: 202 });
    } catch (err) {
      if (!isAppError(err) || err instanceof RequestError) {
        if (err instanceof RequestError && err.code === "body_too_large")
          await recordRefusal(db, organization.id, err.userMessage);
        throw err;
      }
      if (err.status >= 500) throw err;
      await recordRefusal(db, organization.id, `${err.code}: ${err.userMessage}`);
      await auditFlood(
        auditEvent(
          "signals.refused",
          { reason: err.userMessage },
          { organizationId: organization.id, connection: connection.name, ...client, reason: err.code },
        ),
      );
      return Response.json({ err: err.code, description: err.userMessage }, { status: 400 });
    }
  },
});
