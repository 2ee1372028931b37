import type { IncomingMessage, ServerResponse } from "node:http";
import type { Directory } from "../support/directory";
import type { SsfTransmitter, Stream } from "../support/ssf";
import { authenticateApiCall, json, oktaError, type OAuthTokens } from "./management-api";

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  let body = "";
  for await (const chunk of req) body += String(chunk);
  try {
    const parsed = JSON.parse(body || "{}") as unknown;
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * Okta's Shared Signals transmitter API (OKTA-FACTS §4), at the org URL:
 *   GET  /.well-known/ssf-configuration
 *   GET|POST|PATCH|PUT|DELETE /api/v1/ssf/stream   (ssf.read to read, ssf.manage to change; one stream per client)
 *   GET|POST /api/v1/ssf/stream/status              ({stream_id, status})
 *   POST /api/v1/ssf/stream/verification            ({stream_id, state}: 204, then a verification SET)
 *   GET  /api/v1/ssf/deliveries                     (devidp only: the SETs it pushed and the answers)
 * Returns false for any other path.
 */
export async function handleSsfApi(
  directory: Directory,
  ssf: SsfTransmitter,
  req: IncomingMessage,
  res: ServerResponse,
  origin: string,
  oauth?: OAuthTokens,
): Promise<boolean> {
  const url = new URL(req.url ?? "/", origin);
  const method = req.method ?? "GET";
  if (url.pathname === "/.well-known/ssf-configuration" && method === "GET") {
    json(res, 200, ssf.metadata());
    return true;
  }
  const m = /^\/api\/v1\/ssf\/(stream(?:\/status|\/verification)?|deliveries)$/.exec(url.pathname);
  if (!m) return false;
  const caller = await authenticateApiCall(directory, req, res, origin, oauth);
  if (!caller) return true;
  const owner = /^SSWS /.test(req.headers.authorization ?? "") ? caller.token : "oauth";
  const reading = method === "GET";
  const needed = reading ? "ssf.read" : "ssf.manage";
  if (!caller.grant.includes(needed) && !(reading && caller.grant.includes("ssf.manage"))) {
    oktaError(res, 403, "E0000006", `You do not have permission to perform the requested action (${needed})`);
    return true;
  }
  const streamById = (id: unknown): Stream | null => (typeof id === "string" ? (ssf.streams.get(id) ?? null) : null);
  const part = m[1];
  if (part === "deliveries") {
    json(res, 200, ssf.deliveries);
    return true;
  }
  if (part === "stream") {
    if (method === "GET") {
      const id = url.searchParams.get("stream_id");
      if (id) {
        const s = streamById(id);
        if (s) json(res, 200, ssf.view(s));
        else oktaError(res, 404, "E0000007", `Not found: Resource not found: ${id} (Stream)`);
      } else {
        // The admin token may read every stream of the org; any other caller, its own.
        const all = [...ssf.streams.values()].filter(
          (s) => caller.grant.includes("okta.users.manage") || s.owner === owner,
        );
        json(
          res,
          200,
          all.map((s) => ssf.view(s)),
        );
      }
      return true;
    }
    if (method === "DELETE") {
      const s = streamById(url.searchParams.get("stream_id")) ?? ssf.ownedBy(owner);
      if (!s) oktaError(res, 404, "E0000007", "Not found: Resource not found (Stream)");
      else {
        ssf.streams.delete(s.stream_id);
        res.writeHead(204).end();
      }
      return true;
    }
    const body = await readJson(req);
    if (!body) {
      oktaError(res, 400, "E0000003", "The request body was not well-formed.");
      return true;
    }
    const existing = method === "POST" ? ssf.ownedBy(owner) : (streamById(body.stream_id) ?? ssf.ownedBy(owner));
    if (method === "POST" && existing) {
      oktaError(res, 409, "E0000187", "A stream already exists for this client; update it with PATCH or PUT.");
      return true;
    }
    if (method !== "POST" && !existing) {
      oktaError(res, 404, "E0000007", "Not found: Resource not found (Stream)");
      return true;
    }
    const configured = ssf.configure(owner, body, existing);
    if (typeof configured === "string") oktaError(res, 400, "E0000001", `Api validation failed: ${configured}`);
    else json(res, method === "POST" ? 201 : 200, ssf.view(configured));
    return true;
  }
  if (part === "stream/status") {
    if (method === "GET") {
      const s = streamById(url.searchParams.get("stream_id"));
      if (!s) oktaError(res, 404, "E0000007", "Not found: Resource not found (Stream)");
      else json(res, 200, { stream_id: s.stream_id, status: s.status });
      return true;
    }
    const body = await readJson(req);
    const s = streamById(body?.stream_id);
    const status = body?.status;
    if (!s) oktaError(res, 404, "E0000007", "Not found: Resource not found (Stream)");
    else if (status !== "enabled" && status !== "disabled" && status !== "paused")
      oktaError(res, 400, "E0000001", "Api validation failed: status must be enabled, paused or disabled");
    else {
      ssf.setStatus(s, status, typeof body?.reason === "string" ? body.reason : undefined);
      json(res, 200, { stream_id: s.stream_id, status });
    }
    return true;
  }
  // stream/verification
  const body = await readJson(req);
  const s = streamById(body?.stream_id);
  if (!s) oktaError(res, 404, "E0000007", "Not found: Resource not found (Stream)");
  else {
    ssf.verify(s, typeof body?.state === "string" ? body.state : undefined);
    res.writeHead(204).end();
  }
  return true;
}
