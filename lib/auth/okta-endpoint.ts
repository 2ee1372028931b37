import "server-only";
import { isAppError } from "../core/app-error";
import { auditEvent, auditFlood } from "../audit";
import { getConfig, getConnection, type Connection } from "../config";
import { getDb, type Db } from "../db";
import { requestClient, type RequestClient } from "../http/client-ip";
import { jsonError, toErrorResponse } from "../http/error-response";
import { overLimit, tooManyRequests } from "../limits";
import { organizationFor, type Organization } from "../organizations";

const NO_STORE = { "cache-control": "no-store" };

/** One call from Okta to an organization's endpoint: the request and the organization it is for. */
export interface OktaCall {
  req: Request;
  connection: Connection;
  organization: Organization;
  db: Db;
  client: RequestClient;
}

export interface OktaEndpoint<A> {
  /** What the endpoint is, for the 404 of an organization that has none here ("Event Hook"). */
  what: string;
  /** The audit type of a refused call. */
  refused: "okta.hook_rejected" | "okta.logout_rejected" | "signals.refused";
  /**
   * Checks that Okta sent this call (a shared secret, a signed token); throws the refusal. Null for a call
   * that proves nothing and does nothing (the Event Hook's verification echo).
   */
  authenticate: ((call: OktaCall) => Promise<A> | A) | null;
  /** Calls the domain with what was authenticated, and answers. A thrown AppError is a refusal too. */
  handle: (call: OktaCall, authenticated: A) => Promise<Response>;
  /** The WWW-Authenticate header of a 401 (Bearer tokens). */
  challenge?: string;
}

/**
 * Wraps an Okta-facing endpoint (/api/okta/<organization>/...), as withBearer wraps the bearer API: the
 * organization is found (and served only in its home region: 404 elsewhere), the call is authenticated
 * before anything is counted against the organization, then the handler verifies the rest, calls the
 * domain and answers. Every answer is no-store.
 * - Budgets: an authenticated call counts only against the organization's own Okta budget; a refused or
 *   unauthenticated call counts only against the caller's address. Okta's senders share cloud addresses
 *   with anyone, so a flood of forged calls can neither spend the organization's budget nor refuse Okta.
 * - Refusals (AppError) are answered with their status and recorded, aggregated per reason, address and
 *   minute, so a flood cannot fill the log; anything else is a logged 500 that reveals nothing.
 */
export function withOktaEndpoint<A>(
  spec: OktaEndpoint<A>,
): (req: Request, ctx: { params: Promise<{ connection: string }> }) => Promise<Response> {
  return async (req, ctx) => {
    const config = getConfig();
    const found = getConnection((await ctx.params).connection);
    if (!found || found.region !== config.region)
      return jsonError(404, "not_found", `No ${spec.what} at this address.`, NO_STORE);
    const db = await getDb();
    const call: OktaCall = {
      req,
      connection: found,
      organization: await organizationFor(db, found),
      db,
      client: requestClient(req.headers),
    };
    let authenticated: A;
    try {
      if (!spec.authenticate) {
        // Proves nothing: counted against the caller's address, like a refusal.
        const limited = await overLimit(req, "okta", null, ["address"]);
        if (limited) return tooManyRequests(limited);
        authenticated = null as A;
      } else {
        authenticated = await spec.authenticate(call);
      }
    } catch (err) {
      const limited = await overLimit(req, "okta", null, ["address"]);
      if (limited) return tooManyRequests(limited);
      return refuse(spec, call, err);
    }
    if (spec.authenticate) {
      const limited = await overLimit(req, "okta", call.organization, ["organization"]);
      if (limited) return tooManyRequests(limited);
    }
    try {
      const res = await spec.handle(call, authenticated);
      res.headers.set("cache-control", "no-store");
      return res;
    } catch (err) {
      return refuse(spec, call, err);
    }
  };
}

async function refuse<A>(spec: OktaEndpoint<A>, call: OktaCall, err: unknown): Promise<Response> {
  if (isAppError(err)) {
    await auditFlood(
      auditEvent(
        spec.refused,
        { reason: err.userMessage },
        {
          organizationId: call.organization.id,
          connection: call.connection.name,
          ...call.client,
          reason: err.code,
        },
      ),
    );
  }
  const res = toErrorResponse(err, NO_STORE);
  if (res.status === 401 && spec.challenge) res.headers.set("www-authenticate", spec.challenge);
  return res;
}
