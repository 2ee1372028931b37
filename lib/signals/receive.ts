import { and, eq, sql } from "drizzle-orm";
import { appendAuditEvent, auditEvent, type AuditEvent } from "../audit";
import type { Connection } from "../config";
import type { Db, Queryable } from "../db/client";
import { ssfStreams, users, type SsfStream } from "../db/schema";
import type { RequestClient } from "../http/client-ip";
import { spendTokenId } from "../limits/spent-token-ids";
import type { Organization } from "../organizations";
import { endAccess } from "../sessions/end-access";
import { refuseSet } from "./errors";
import { CAEP_CREDENTIAL_CHANGE, CAEP_SESSION_REVOKED, SSF_STREAM_UPDATED, SSF_VERIFICATION } from "./events";
import { verifySet, type VerifiedSet } from "./set";

/** How long a SET's jti is remembered (SETs have no exp): a replay within a week is refused. */
const JTI_MEMORY_MS = 7 * 86_400_000;

export interface SignalContext {
  db: Db;
  organization: Organization;
  connection: Pick<Connection, "name" | "credentialChange">;
  stream: SsfStream;
  client: RequestClient;
}

const text = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v.slice(0, 500) : undefined);
/** Okta's `reason_admin`: `{ "en": "…" }` (any language: the first). */
const reasonOf = (v: unknown): string | undefined =>
  typeof v === "object" && v !== null ? text(Object.values(v as Record<string, unknown>)[0]) : text(v);
const timeOf = (v: unknown): string | undefined =>
  typeof v === "number" && Number.isFinite(v) ? new Date(v > 1e12 ? v : v * 1000).toISOString() : undefined;

/**
 * The people a CAEP event's subject names in this organization: `iss_sub` with this Okta org as `iss` (the
 * `sub` is Okta's user id, the ID token's `sub`), or `email` (everyone with that address). Another issuer,
 * or any other format, is refused: porter never acts on a person of another organization.
 */
async function peopleOf(db: Queryable, organizationId: string, transmitter: string, subject: unknown) {
  const s = (typeof subject === "object" && subject !== null ? subject : {}) as Record<string, unknown>;
  if (s.format === "iss_sub") {
    if (s.iss !== transmitter)
      throw refuseSet("invalid_request", `The subject's iss is not this organization's Okta org (${transmitter}).`);
    if (typeof s.sub !== "string" || s.sub === "")
      throw refuseSet("invalid_request", "The iss_sub subject has no sub.");
    return db
      .select({ id: users.id, sub: users.sub, email: users.email })
      .from(users)
      .where(and(eq(users.organizationId, organizationId), eq(users.sub, s.sub)));
  }
  if (s.format === "email" && typeof s.email === "string" && s.email !== "")
    return db
      .select({ id: users.id, sub: users.sub, email: users.email })
      .from(users)
      .where(and(eq(users.organizationId, organizationId), sql`lower(${users.email}) = lower(${s.email})`));
  throw refuseSet("invalid_request", "The event's subject must be iss_sub (this Okta org) or email.");
}

/**
 * One push from Okta's transmitter (RFC 8935), after its authorization header matched: the SET verified
 * completely, its jti spent once across nodes, then what it says, in one transaction with its audit:
 * - CAEP session-revoked ends every porter session of the person (the one revocation path, cause
 *   shared_signal, with Okta's reason_admin and the event's time);
 * - CAEP credential-change is recorded, and ends sessions per the organization's policy (by default when
 *   a credential was revoked or deleted);
 * - SSF verification with porter's state marks the stream verified; stream-updated records its status.
 * A person porter does not know changes nothing (202, recorded).
 */
export async function receiveSecurityEvent(ctx: SignalContext, compact: string): Promise<VerifiedSet> {
  const { db, organization, stream } = ctx;
  if (!stream.transmitterIssuer || !stream.jwksUri || !stream.audience)
    throw refuseSet("access_denied", "porter has no Shared Signals stream registered for this organization.");
  const set = await verifySet(compact, {
    issuer: stream.transmitterIssuer,
    audience: stream.audience,
    jwksUri: stream.jwksUri,
  });
  const base = {
    organizationId: organization.id,
    connection: ctx.connection.name,
    actor: "Okta",
    actorSub: null,
    ...ctx.client,
  } as const;
  const received = (
    effect: "ended_access" | "recorded" | "unknown_person" | "verified" | "stream_updated",
    extra: Partial<AuditEvent["details"]> = {},
  ) =>
    auditEvent(
      "signals.received",
      { eventType: set.type, jti: set.jti, effect, ...extra },
      { ...base, reason: effect },
    );

  await db.transaction(async (tx) => {
    if (!(await spendTokenId(tx, organization.id, "ssf", set.jti, new Date(Date.now() + JTI_MEMORY_MS))))
      throw refuseSet("invalid_request", `This SET (jti ${set.jti.slice(0, 80)}) was already received.`);
    const seen = { lastEventAt: new Date(), lastEventType: set.type, updatedAt: new Date() };
    if (set.type === SSF_VERIFICATION) {
      if (!stream.verificationState || set.event.state !== stream.verificationState)
        throw refuseSet("invalid_request", "The verification event's state is not the one porter asked for.");
      await tx
        .update(ssfStreams)
        .set({ ...seen, verifiedAt: new Date() })
        .where(eq(ssfStreams.organizationId, organization.id));
      await appendAuditEvent(tx, received("verified"));
      return;
    }
    if (set.type === SSF_STREAM_UPDATED) {
      const status = set.event.status;
      if (status !== "enabled" && status !== "paused" && status !== "disabled")
        throw refuseSet("invalid_request", "stream-updated needs a status of enabled, paused or disabled.");
      const why = text(set.event.reason);
      await tx
        .update(ssfStreams)
        .set({ ...seen, status, statusReason: why ?? null })
        .where(eq(ssfStreams.organizationId, organization.id));
      await appendAuditEvent(
        tx,
        received("stream_updated", { ...(why ? { why: `${status}: ${why}` } : { why: status }) }),
      );
      return;
    }
    if (set.type !== CAEP_SESSION_REVOKED && set.type !== CAEP_CREDENTIAL_CHANGE)
      throw refuseSet("invalid_request", `porter's stream does not request ${set.type.slice(0, 200)}.`);
    const people = await peopleOf(tx, organization.id, stream.transmitterIssuer ?? "", set.event.subject);
    const why = reasonOf(set.event.reason_admin);
    const eventTime = timeOf(set.event.event_timestamp);
    const details = { ...(why ? { why } : {}), ...(eventTime ? { eventTime } : {}) };
    await tx.update(ssfStreams).set(seen).where(eq(ssfStreams.organizationId, organization.id));
    if (people.length === 0) {
      await appendAuditEvent(tx, received("unknown_person", details));
      return;
    }
    const changeType = text(set.event.change_type);
    const credentialType = text(set.event.credential_type);
    const ends =
      set.type === CAEP_SESSION_REVOKED ||
      ctx.connection.credentialChange === "end_sessions" ||
      (ctx.connection.credentialChange === "end_sessions_on_revoke" &&
        (changeType === "revoke" || changeType === "delete"));
    const extra = { ...details, ...(changeType ? { changeType } : {}), ...(credentialType ? { credentialType } : {}) };
    if (ends)
      await endAccess(tx, {
        organizationId: organization.id,
        connection: ctx.connection.name,
        people,
        cause: "shared_signal",
        by: { actor: "Okta", actorSub: null, ...ctx.client },
        details: {
          signal: { id: set.jti, type: set.type },
          ...details,
          subjectFormat: text((set.event.subject as { format?: unknown } | undefined)?.format) ?? "unknown",
        },
      });
    await appendAuditEvent(tx, received(ends ? "ended_access" : "recorded", extra));
  });
  return set;
}

/** A refused push, on the stream's row (the console shows the last one). */
export async function recordRefusal(db: Db, organizationId: string, reason: string): Promise<void> {
  await db
    .update(ssfStreams)
    .set({ lastRefusedAt: new Date(), lastRefusedReason: reason.slice(0, 500) })
    .where(eq(ssfStreams.organizationId, organizationId));
}
