import "server-only";
import { auditEvent, auditFlood } from "../audit";
import { isAppError } from "../core/app-error";
import { readBodyLimited } from "../core/read-body";
import { getConfig, getConnection } from "../config";
import { connectionUrls } from "../config/connection-urls";
import { getDb } from "../db";
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "../db/unavailable";
import { requestClient } from "../http/client-ip";
import { overLimit, type Limited } from "../limits";
import { logger } from "../log";
import { organizationFor } from "../organizations";
import {
  authenticateScimToken,
  handleScim,
  oktaThroughToken,
  SCHEMAS,
  scimError,
  type ScimMethod,
  type ScimScope,
} from "../provisioning";

/** The largest body a SCIM request may have: a Push Groups PATCH of 10,000 members is about 1 MB. */
export const SCIM_MAX_BODY_BYTES = 5 * 1024 * 1024;
const HEADERS = { "content-type": "application/scim+json; charset=utf-8", "cache-control": "no-store" };

interface ScimProblem {
  status: number;
  detail: string;
  scimType?: string | undefined;
  headers?: Record<string, string>;
}

/** An error in SCIM's error schema (RFC 7644 §3.12): `status` is a string. */
function scimErrorResponse(p: ScimProblem): Response {
  return new Response(
    JSON.stringify({
      schemas: [SCHEMAS.error],
      status: String(p.status),
      ...(p.scimType ? { scimType: p.scimType } : {}),
      detail: p.detail,
    }),
    { status: p.status, headers: { ...HEADERS, ...p.headers } },
  );
}

function problemOf(err: unknown): ScimProblem {
  if (isAppError(err))
    return { status: err.status, detail: err.userMessage, scimType: (err as { scimType?: string }).scimType };
  if (isDatabaseUnavailable(err)) {
    logger.warn({ err }, "database unavailable: SCIM request answered 503");
    return {
      status: 503,
      detail: "porter's database is unavailable; retry shortly.",
      headers: { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) },
    };
  }
  logger.error({ err }, "SCIM request failed");
  return { status: 500, detail: "Something went wrong on porter's side. It has been logged." };
}

const limitedProblem = (limited: Limited): ScimProblem => ({
  status: 429,
  detail: `Too many SCIM requests from ${limited.scope === "token" ? "this token" : "this address"}; retry after ${String(limited.retryAfter)} seconds.`,
  headers: { "retry-after": String(limited.retryAfter) },
});

type Params = { params: Promise<{ organization: string; path?: string[] }> };

/**
 * porter's SCIM 2.0 service provider for one organization: <home URL>/scim/v2/<organization>/... Okta's
 * provisioning calls it with the organization's bearer token (HTTP Header authorization). The token is
 * checked before anything is counted against it; a request without a valid one counts against its address
 * only and is recorded (aggregated per reason, address and minute). One organization's token is never
 * valid at another's base URL. Every answer is SCIM JSON, no-store; errors are SCIM errors, never a stack.
 */
export function scimRoute(method: ScimMethod): (req: Request, ctx: Params) => Promise<Response> {
  return async (req, ctx) => {
    const { organization: name, path = [] } = await ctx.params;
    const config = getConfig();
    const connection = getConnection(name);
    if (!connection) return scimErrorResponse({ status: 404, detail: `No organization "${name.slice(0, 100)}" here.` });
    if (connection.region !== config.region) {
      const home = connectionUrls(config, connection).home;
      return scimErrorResponse({
        status: 404,
        detail: `${connection.name} is served by its home region: its SCIM base URL is ${home}/scim/v2/${connection.name}`,
      });
    }
    const client = requestClient(req.headers);
    const db = await getDb();
    const organization = await organizationFor(db, connection);
    const urlPath = new URL(req.url).pathname;
    const refuse = async (p: ScimProblem, code: string): Promise<Response> => {
      await auditFlood(
        auditEvent(
          "scim.request_refused",
          { method, path: urlPath.slice(0, 300), status: p.status, detail: p.detail.slice(0, 300) },
          { organizationId: organization.id, connection: connection.name, ...client, reason: code },
        ),
      );
      return scimErrorResponse(p);
    };
    try {
      const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "")?.[1];
      const found = token ? await authenticateScimToken(db, organization.id, token) : null;
      if (!found) {
        const limited = await overLimit(req, "scim", null, ["address"]);
        if (limited) return scimErrorResponse(limitedProblem(limited));
        return await refuse(
          {
            status: 401,
            detail: token
              ? "The bearer token is not one of this organization's SCIM tokens (revoked, mistyped, or another organization's). Create one on porter's Provisioning page and paste it in Okta: Provisioning > Integration > API Token."
              : "No bearer token: in Okta, Provisioning > Integration > Authentication Mode HTTP Header, with a token from porter's Provisioning page.",
            headers: { "www-authenticate": 'Bearer realm="porter SCIM"' },
          },
          token ? "token_invalid" : "token_missing",
        );
      }
      const limited = await overLimit(req, "scim", null, ["token"], found.id);
      if (limited) return scimErrorResponse(limitedProblem(limited));
      const scope: ScimScope = {
        db,
        organization,
        connection,
        base: `${config.publicUrl}/scim/v2/${connection.name}`,
        by: oktaThroughToken(found.name, client),
      };
      try {
        const body = await readScimBody(req, method);
        const answer = await handleScim(scope, method, path, new URL(req.url).searchParams, body);
        if (answer.status === 204) return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
        const location = (answer.body as { meta?: { location?: string } }).meta?.location;
        return new Response(JSON.stringify(answer.body), {
          status: answer.status,
          headers: { ...HEADERS, ...(answer.status === 201 && location ? { location } : {}) },
        });
      } catch (err) {
        const p = problemOf(err);
        return p.status < 500 ? await refuse(p, isAppError(err) ? err.code : "refused") : scimErrorResponse(p);
      }
    } catch (err) {
      return scimErrorResponse(problemOf(err));
    }
  };
}

/** The JSON body of a POST, PUT or PATCH: SCIM or plain JSON, at most SCIM_MAX_BODY_BYTES. */
async function readScimBody(req: Request, method: ScimMethod): Promise<unknown> {
  if (method === "GET" || method === "DELETE") return undefined;
  const type = (req.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== "application/scim+json" && type !== "application/json")
    throw scimError(
      "unsupportedMediaType",
      `Send the body as application/scim+json (got "${type.slice(0, 60) || "nothing"}").`,
    );
  let text: string;
  try {
    text = await readBodyLimited(req, SCIM_MAX_BODY_BYTES);
  } catch (err) {
    if (isAppError(err) && err.code === "body_too_large")
      throw scimError(
        "payloadTooLarge",
        `The body is larger than ${String(SCIM_MAX_BODY_BYTES / 1024 / 1024)} MB; send the members in several PATCHes.`,
      );
    throw err;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw scimError("invalidSyntax", "The body is not valid JSON.");
  }
}
