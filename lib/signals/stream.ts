import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { appendAuditEvent, auditEvent } from "../audit";
import { isAppError } from "../core/app-error";
import type { Connection } from "../config";
import type { Db } from "../db/client";
import { ssfStreams, type SsfStream } from "../db/schema";
import { inAdminConsole, OktaClient, PLACES } from "../okta";
import { organizationIdFor } from "../organizations";
import { PUSH_DELIVERY, REQUESTED_EVENTS } from "./events";
import { transmitterMetadata, type TransmitterMetadata } from "./metadata";

const LEASE_SECONDS = 60;
/** Re-verify a stream at most this often (and never more often than the transmitter's min_verification_interval). */
const VERIFY_EVERY_MS = 24 * 60 * 60_000;

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** Whether a push's Authorization header is the one porter gave Okta (constant time). */
export function authorizationMatches(stream: Pick<SsfStream, "authHash"> | null, header: string | null): boolean {
  if (!stream?.authHash || !header) return false;
  return timingSafeEqual(sha256(header), Buffer.from(stream.authHash, "hex"));
}

export async function streamOf(db: Db, organizationId: string): Promise<SsfStream | null> {
  const [row] = await db.select().from(ssfStreams).where(eq(ssfStreams.organizationId, organizationId));
  return row ?? null;
}

/** The fix when Okta refuses porter's credential on the stream API. */
export const SSF_SCOPES_FIX = `${inAdminConsole(PLACES.serviceApp)} > Okta API Scopes: grant ssf.manage and ssf.read (or use an API token of an admin who may manage Shared Signals streams), then porter registers the stream on its next try (within 10 minutes).`;

interface StreamConfiguration {
  stream_id?: unknown;
  aud?: unknown;
  iss?: unknown;
  min_verification_interval?: unknown;
  delivery?: { endpoint_url?: unknown };
}

async function json(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return null;
  }
}

/**
 * Registers or checks this organization's Shared Signals stream at Okta (SSF 1.0 stream management, with
 * the organization's Okta API credential): push delivery (RFC 8935) to porter's endpoint with a random
 * authorization header that porter keeps as SHA-256, the two event types Okta sends, `iss_sub` subjects.
 * A stream porter does not know the header of (a fresh database) is updated with a new one; a stream
 * deleted at Okta is created again; a disabled one is shown as such. Then verification is requested when
 * due. One node at a time (a lease); every outcome is on the row the console shows.
 */
export async function ensureStream(
  db: Db,
  connection: Connection,
  home: string,
  fetchImpl?: typeof fetch,
): Promise<SsfStream | null> {
  const orgId = await organizationIdFor(db, connection.name);
  await db.insert(ssfStreams).values({ organizationId: orgId }).onConflictDoNothing();
  const [leased] = await db
    .update(ssfStreams)
    .set({ leaseUntil: sql`now() + make_interval(secs => ${LEASE_SECONDS})` })
    .where(
      and(
        eq(ssfStreams.organizationId, orgId),
        or(isNull(ssfStreams.leaseUntil), lt(ssfStreams.leaseUntil, sql`now()`)),
      ),
    )
    .returning();
  if (!leased) return streamOf(db, orgId);
  const update = async (
    fields: Partial<typeof ssfStreams.$inferInsert>,
    audit?: { action: string; detail: string },
  ) => {
    await db.transaction(async (tx) => {
      await tx
        .update(ssfStreams)
        .set({ ...fields, leaseUntil: null, updatedAt: new Date() })
        .where(eq(ssfStreams.organizationId, orgId));
      if (audit)
        await appendAuditEvent(
          tx,
          auditEvent("signals.stream", audit, {
            organizationId: orgId,
            connection: connection.name,
            actor: "porter",
            reason: audit.action,
          }),
        );
    });
    return streamOf(db, orgId);
  };
  const okta = OktaClient.of(connection, fetchImpl);
  if (!okta)
    return update({
      status: "error",
      statusReason: `Shared Signals needs an Okta API credential for this organization (scopes ssf.manage and ssf.read). ${SSF_SCOPES_FIX}`,
    });
  let metadata: TransmitterMetadata;
  try {
    metadata = await transmitterMetadata(connection);
  } catch (err) {
    return update({ status: "error", statusReason: isAppError(err) ? err.userMessage : String(err) });
  }
  const endpoint = `${home}/api/okta/${connection.name}/security-events`;
  try {
    const listed = await okta.send(metadata.configurationEndpoint);
    if (listed.status === 401 || listed.status === 403) {
      await listed.body?.cancel();
      return await update(
        {
          status: "error",
          statusReason: `Okta refused porter's credential on the stream API (HTTP ${String(listed.status)}). ${SSF_SCOPES_FIX}`,
        },
        { action: "refused", detail: `HTTP ${String(listed.status)} from the stream API` },
      );
    }
    let body: unknown = null;
    if (listed.ok) body = await json(listed);
    else await listed.body?.cancel();
    const streams = (Array.isArray(body) ? body : body ? [body] : []) as StreamConfiguration[];
    const ours = streams.find((s) => s.delivery?.endpoint_url === endpoint) ?? null;
    const known = ours && leased.authHash && leased.streamId === ours.stream_id;
    let config: StreamConfiguration | null = ours;
    let action = "checked";
    if (!known) {
      const header = `Bearer ${randomBytes(32).toString("base64url")}`;
      const request = {
        delivery: { method: PUSH_DELIVERY, endpoint_url: endpoint, authorization_header: header },
        events_requested: [...REQUESTED_EVENTS],
        format: "iss_sub",
      };
      const res = ours
        ? await okta.send(metadata.configurationEndpoint, {
            method: "PATCH",
            json: { stream_id: ours.stream_id, ...request },
          })
        : await okta.send(metadata.configurationEndpoint, { method: "POST", json: request });
      const created = (await json(res)) as StreamConfiguration | null;
      if (!res.ok || typeof created?.stream_id !== "string")
        return await update(
          {
            status: "error",
            statusReason: `Okta did not accept porter's stream (HTTP ${String(res.status)}).${res.status === 403 ? ` ${SSF_SCOPES_FIX}` : ""}`,
          },
          { action: "refused", detail: `HTTP ${String(res.status)} creating the stream` },
        );
      config = created;
      action = ours ? "updated" : "created";
      await update({ authHash: sha256(header).toString("hex") });
    }
    if (!config || typeof config.stream_id !== "string")
      return await update({ status: "error", statusReason: "Okta's stream has no stream_id." });
    const audience: unknown = Array.isArray(config.aud) ? (config.aud as unknown[])[0] : config.aud;
    const status = metadata.statusEndpoint ? await readStatus(okta, metadata.statusEndpoint, config.stream_id) : null;
    const row = await update(
      {
        streamId: config.stream_id,
        transmitterIssuer: typeof config.iss === "string" ? config.iss : metadata.issuer,
        jwksUri: metadata.jwksUri,
        audience: typeof audience === "string" ? audience : endpoint,
        status: status ?? "enabled",
        statusReason: null,
      },
      action === "checked" ? undefined : { action, detail: `stream ${config.stream_id} delivers to ${endpoint}` },
    );
    const minInterval = Number(config.min_verification_interval) || 0;
    const lastAsked = row?.verificationRequestedAt?.getTime() ?? 0;
    const due = !row?.verifiedAt || Date.now() - row.verifiedAt.getTime() > VERIFY_EVERY_MS;
    if (metadata.verificationEndpoint && due && Date.now() - lastAsked > Math.max(minInterval * 1000, 60_000)) {
      const state = randomBytes(16).toString("base64url");
      await update({ verificationState: state, verificationRequestedAt: new Date() });
      const res = await okta.send(metadata.verificationEndpoint, {
        method: "POST",
        json: { stream_id: config.stream_id, state },
      });
      await res.body?.cancel();
    }
    return await streamOf(db, orgId);
  } catch (err) {
    return update({
      status: "error",
      statusReason: isAppError(err) ? `${err.userMessage}${err.fix ? ` ${err.fix}` : ""}` : String(err),
    });
  }
}

async function readStatus(okta: OktaClient, url: string, streamId: string): Promise<string | null> {
  const res = await okta.send(`${url}?stream_id=${encodeURIComponent(streamId)}`);
  const body = (await json(res)) as { status?: unknown } | null;
  return res.ok && typeof body?.status === "string" ? body.status : null;
}
