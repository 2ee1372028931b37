import "server-only";
import { overLimit, tooManyRequests } from "../limits/limits";
import { organizationFor, ruleSetFor } from "../organizations";
import { bearerPerson } from "../people";
import { accessDeniedEvent, audit, auditFlood } from "../audit";
import { getConfig, type Connection } from "../config";
import { getDb } from "../db";
import { RequestError } from "../core/request-error";
import { requestClient, type RequestClient } from "../http/client-ip";
import { toErrorResponse } from "../http/error-response";
import {
  AccessTokenVerifier,
  oktaApiCredential,
  BearerError,
  isOrgAuthorizationServer,
  looksLikeJwt,
  peekIssuerAndClient,
} from "../okta";
import { forbiddenError, hasPermission, resolveIdentity, type Permission, type Principal } from "../rbac";

const globalKey = Symbol.for("porter.accessTokenVerifiers");
type WithVerifiers = typeof globalThis & { [globalKey]?: Map<string, AccessTokenVerifier> };
const verifiers = ((globalThis as WithVerifiers)[globalKey] ??= new Map<string, AccessTokenVerifier>());

function verifierFor(connection: Connection): AccessTokenVerifier {
  let verifier = verifiers.get(connection.name);
  if (!verifier) {
    verifier = new AccessTokenVerifier({
      issuer: connection.issuer,
      audience: connection.apiAudience,
      clientIds: connection.apiClientIds,
    });
    verifiers.set(connection.name, verifier);
  }
  return verifier;
}

export interface BearerContext {
  principal: Principal;
  connection: Connection;
}

/** Verifies the request's bearer token and turns its groups into a principal with the same engine as sign-in. */
export async function authenticateBearer(req: Request, scopes: readonly string[]): Promise<BearerContext> {
  const header = req.headers.get("authorization") ?? "";
  const match = /^Bearer +([^\s]+) *$/i.exec(header);
  if (!match?.[1]) throw new BearerError("invalid_token", "Send an Okta access token: Authorization: Bearer <token>.");
  const token = match[1];
  if (!looksLikeJwt(token))
    throw new BearerError(
      "invalid_token",
      "The access token is not a JWT: send the access_token from Okta's token response, not the ID token's claims or an opaque token.",
    );
  // The organization comes from the token's issuer (and, when several organizations share an Okta
  // authorization server, its app): verification below then checks both for real.
  const { iss, cid } = peekIssuerAndClient(token);
  const sameIssuer = getConfig().connections.filter((c) => c.issuer === iss);
  if (sameIssuer.length === 0)
    throw new BearerError(
      "invalid_token",
      "The access token was not issued by an Okta authorization server porter knows.",
    );
  const connection =
    sameIssuer.length === 1 ? sameIssuer[0] : sameIssuer.find((c) => cid !== null && c.apiClientIds.includes(cid));
  if (!connection)
    throw new BearerError(
      "invalid_token",
      "The access token was minted for an app no organization on this issuer accepts (cid).",
    );
  if (isOrgAuthorizationServer(connection.issuer)) {
    throw new BearerError(
      "invalid_token",
      "This connection uses Okta's org authorization server, whose access tokens only Okta can verify. Use a custom authorization server (e.g. /oauth2/default).",
    );
  }
  const verifier = verifierFor(connection);
  const verified = verifier.verifyCached(token, scopes) ?? (await verifier.verify(token, scopes));
  const config = getConfig();
  if (connection.region !== config.region) {
    // The organization's data lives in its home region's deployment: say where to call (clients drop
    // the Authorization header on a cross-origin redirect, so a redirect would only fail later).
    const home = config.regionUrls[connection.region];
    throw new RequestError({
      code: "wrong_region",
      message: `token for ${connection.name} (home ${connection.region}) reached ${config.region}`,
      userMessage: `This organization lives in the ${connection.region.toUpperCase()} region: call ${home}${new URL(req.url).pathname} instead.`,
    });
  }
  const db = await getDb();
  const organization = await organizationFor(db, connection);
  const organizationId = organization.id;
  const ruleSet = await ruleSetFor(db, organization);
  const service = verified.sub === verified.cid;
  const subject = service ? verified.cid : typeof verified.claims.uid === "string" ? verified.claims.uid : verified.sub;
  let claim: unknown = verified.claims[connection.groupsClaim];
  if (!service) {
    // The one revocation path reaches tokens too: a token issued before the person's access ended is refused.
    const person = await bearerPerson(db, organizationId, subject, connection.groupsSource);
    const issuedAt = typeof verified.claims.iat === "number" ? verified.claims.iat * 1000 : 0;
    if (person?.accessEndedAt && issuedAt <= person.accessEndedAt.getTime())
      throw new BearerError(
        "invalid_token",
        `This person's access was ended at ${person.accessEndedAt.toISOString()} (by Okta or an admin), after this token was issued: get a new token.`,
      );
    // When porter keeps this organization's groups live (SCIM pushes, an Event Hook, System Log polling), a
    // group Okta has removed since the token was minted grants nothing: the token's groups count only where
    // porter's agree.
    if (person?.sourceGroups && keepsGroupsLive(connection) && Array.isArray(claim)) {
      const live = new Set(person.sourceGroups);
      claim = claim.filter((g) => typeof g === "string" && live.has(g));
    }
  }
  const mapping = resolveIdentity(ruleSet, { kind: "claim", claim });
  return {
    connection,
    principal: {
      kind: service ? "service" : "user",
      organizationId,
      connection: connection.name,
      actor: service ? `client ${verified.cid}` : verified.sub,
      subject,
      roles: mapping.roles,
      permissions: mapping.permissions,
      teams: mapping.keptGroups,
    },
  };
}

/**
 * Whether porter hears of a connection's group changes between sign-ins: Okta pushes them over SCIM (the
 * authority), or an Event Hook or an Okta API credential tells porter of them.
 */
function keepsGroupsLive(connection: Connection): boolean {
  return connection.groupsSource === "scim" || !!connection.eventHookSecret || oktaApiCredential(connection) !== null;
}

/** A flood of bad tokens must not flood the log: one event (with a count) per reason, address and minute. */
async function auditRejection(err: BearerError, client: RequestClient): Promise<void> {
  await auditFlood({
    type: "api.token_rejected",
    ...client,
    reason: err.code,
    details: { code: err.code, reason: err.userMessage },
  });
}

type Handler<P> = (req: Request, ctx: BearerContext & { params: P }) => Promise<Response>;

const NO_STORE = { "cache-control": "no-store" };

/**
 * Wraps an /api/v1 route: a valid Okta access token with `scopes`, then `permission` from the token's
 * groups (null when the handler decides per resource, as updateService does). 401 + WWW-Authenticate for a bad token, 403 naming what is missing, every refusal audited.
 */
export function withBearer<P = Record<string, never>>(
  options: { scopes: readonly string[]; permission: Permission | null },
  handler: Handler<P>,
): (req: Request, ctx: { params: Promise<P> }) => Promise<Response> {
  return async (req, ctx) => {
    // Per address before the token is even read; per organization once it is known.
    const byAddress = await overLimit(req, "api", null);
    if (byAddress) return tooManyRequests(byAddress);
    let context: BearerContext;
    try {
      context = await authenticateBearer(req, options.scopes);
    } catch (err) {
      if (err instanceof BearerError) {
        await auditRejection(err, requestClient(req.headers));
        return toErrorResponse(err, { ...NO_STORE, "www-authenticate": err.wwwAuthenticate });
      }
      return toErrorResponse(err, NO_STORE);
    }
    const { principal } = context;
    const byOrganization = await overLimit(req, "api", { id: principal.organizationId, name: principal.connection }, [
      "organization",
    ]);
    if (byOrganization) return tooManyRequests(byOrganization);
    if (options.permission && !hasPermission(principal, options.permission)) {
      await audit(
        accessDeniedEvent(
          principal,
          `${req.method} ${new URL(req.url).pathname}`,
          options.permission,
          requestClient(req.headers),
        ),
      );
      return toErrorResponse(forbiddenError(options.permission, "do this"), NO_STORE);
    }
    try {
      return await handler(req, { ...context, params: await ctx.params });
    } catch (err) {
      return toErrorResponse(err, NO_STORE);
    }
  };
}
