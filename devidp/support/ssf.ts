import { generateKeyPairSync, randomUUID } from "node:crypto";
import { importJWK, SignJWT, type JWK } from "jose";
import type { Directory } from "./directory";
import type { LogEvent } from "./okta-org";

const SESSION_REVOKED = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
const CREDENTIAL_CHANGE = "https://schemas.openid.net/secevent/caep/event-type/credential-change";
const VERIFICATION = "https://schemas.openid.net/secevent/ssf/event-type/verification";
const STREAM_UPDATED = "https://schemas.openid.net/secevent/ssf/event-type/stream-updated";
const PUSH = "urn:ietf:rfc:8935";
const RETRIES = 3;
const TIMEOUT_MS = 5000;

/** What a stream's owner may set for tests (devidp only): bad signature, wrong audience, each SET sent twice, a delay. */
export interface TestModes {
  badSignature?: boolean;
  wrongAudience?: boolean;
  replay?: boolean;
  delayMs?: number;
}

export interface Stream {
  stream_id: string;
  iss: string;
  aud: string;
  delivery: { method: string; endpoint_url: string; authorization_header?: string };
  events_requested: string[];
  events_supported: string[];
  events_delivered: string[];
  format: string;
  min_verification_interval: number;
  status: "enabled" | "paused" | "disabled";
  /** Who created it: one stream per client (an API token or an OAuth client stands for one). */
  owner: string;
  devidp?: TestModes;
}

/** A push devidp made: for the demo's banner and the tests. */
export interface Delivery {
  streamId: string;
  eventType: string;
  jti: string;
  status: number | string;
}

const SUPPORTED = [SESSION_REVOKED, CREDENTIAL_CHANGE];

/**
 * Okta as a Shared Signals transmitter (OKTA-FACTS §4): /.well-known/ssf-configuration at the org URL, the
 * stream API at /api/v1/ssf/stream (one stream per client), status and verification, and SETs in Okta's
 * shape (RS256 with the org's ID-token key, iss the org, aud the stream's, one CAEP event with an iss_sub
 * subject, reason_admin and event_timestamp) pushed with the stream's authorization header, retried on
 * failure. `user.session.end` becomes session-revoked; a password reset or change, credential-change.
 */
export class SsfTransmitter {
  readonly streams = new Map<string, Stream>();
  readonly deliveries: Delivery[] = [];
  /** A key of its own for the bad-signature test mode (never published). */
  private readonly strangerKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;

  constructor(
    private readonly directory: Directory,
    private readonly signingKey: JWK,
    private readonly origin: string,
  ) {}

  metadata() {
    return {
      issuer: this.origin,
      jwks_uri: `${this.origin}/oauth2/v1/keys`,
      configuration_endpoint: `${this.origin}/api/v1/ssf/stream`,
      status_endpoint: `${this.origin}/api/v1/ssf/stream/status`,
      verification_endpoint: `${this.origin}/api/v1/ssf/stream/verification`,
      delivery_methods_supported: ["https://schemas.openid.net/secevent/risc/delivery-method/push", PUSH],
      spec_version: "1_0-ID3",
      authorization_schemes: [{ spec_urn: "urn:ietf:rfc:6749" }],
      default_subjects: "ALL",
    };
  }

  ownedBy(owner: string): Stream | null {
    return [...this.streams.values()].find((s) => s.owner === owner) ?? null;
  }

  /** Creates or replaces the owner's stream from a request body (Okta's StreamConfiguration). Returns an error string, or the stream. */
  configure(owner: string, body: Record<string, unknown>, existing: Stream | null): Stream | string {
    const delivery = body.delivery as Stream["delivery"] | undefined;
    if (!delivery || delivery.method !== PUSH || typeof delivery.endpoint_url !== "string")
      return `delivery.method must be ${PUSH} with an endpoint_url`;
    if (
      delivery.authorization_header !== undefined &&
      (typeof delivery.authorization_header !== "string" || delivery.authorization_header.length > 8192)
    )
      return "delivery.authorization_header must be a string of at most 8192 characters";
    const requested = Array.isArray(body.events_requested)
      ? body.events_requested.filter((e): e is string => typeof e === "string")
      : [];
    if (requested.length > 50) return "events_requested holds at most 50 types";
    const stream: Stream = {
      stream_id: existing?.stream_id ?? `esc${randomUUID().replaceAll("-", "").slice(0, 17)}`,
      iss: this.origin,
      aud: delivery.endpoint_url,
      delivery: {
        method: PUSH,
        endpoint_url: delivery.endpoint_url,
        ...(delivery.authorization_header ? { authorization_header: delivery.authorization_header } : {}),
      },
      events_requested: requested,
      events_supported: SUPPORTED,
      events_delivered: requested.filter((e) => SUPPORTED.includes(e)),
      format: "iss_sub",
      min_verification_interval: 60,
      status: existing?.status ?? "enabled",
      owner,
      ...(body.devidp && typeof body.devidp === "object"
        ? { devidp: body.devidp }
        : existing?.devidp
          ? { devidp: existing.devidp }
          : {}),
    };
    this.streams.set(stream.stream_id, stream);
    return stream;
  }

  /** The stream as the API shows it (without devidp's owner; the authorization header is never shown back). */
  view(stream: Stream) {
    const shown: Partial<Stream> = {
      ...stream,
      delivery: { method: stream.delivery.method, endpoint_url: stream.delivery.endpoint_url },
    };
    delete shown.owner;
    return shown;
  }

  setStatus(stream: Stream, status: Stream["status"], reason?: string): void {
    stream.status = status;
    void this.push(
      stream,
      STREAM_UPDATED,
      { status, ...(reason ? { reason } : {}) },
      { format: "opaque", id: stream.stream_id },
    );
  }

  verify(stream: Stream, state: string | undefined): void {
    void this.push(stream, VERIFICATION, state ? { state } : {}, { format: "opaque", id: stream.stream_id });
  }

  /** The org's System Log, as Okta's transmitter maps it to CAEP. */
  onEvent(event: LogEvent): void {
    const user = event.target?.find((t) => t.type === "User");
    if (!user) return;
    const subject = { format: "iss_sub", iss: this.origin, sub: user.id };
    const base = {
      subject,
      event_timestamp: Date.parse(event.published),
      initiating_entity: event.actor?.type === "User" && event.actor.id === user.id ? "user" : "admin",
      reason_admin: { en: event.displayMessage },
    };
    if (event.eventType === "user.session.end") {
      for (const s of this.streams.values())
        if (s.events_delivered.includes(SESSION_REVOKED)) void this.push(s, SESSION_REVOKED, base);
      return;
    }
    if (event.eventType === "user.account.reset_password" || event.eventType === "user.account.update_password") {
      // devidp's mapping: an admin's reset revokes the old password; the person's own change updates it.
      const change = {
        ...base,
        credential_type: "password",
        change_type: event.eventType.endsWith("reset_password") ? "revoke" : "update",
      };
      for (const s of this.streams.values())
        if (s.events_delivered.includes(CREDENTIAL_CHANGE)) void this.push(s, CREDENTIAL_CHANGE, change);
    }
  }

  private async sign(
    stream: Stream,
    type: string,
    event: Record<string, unknown>,
    subId?: unknown,
  ): Promise<{ jwt: string; jti: string }> {
    const modes = stream.devidp ?? {};
    const jti = randomUUID();
    const key = modes.badSignature ? this.strangerKey : await importJWK(this.signingKey, "RS256");
    const jwt = await new SignJWT({ jti, events: { [type]: event }, ...(subId ? { sub_id: subId } : {}) })
      .setProtectedHeader({
        alg: "RS256",
        typ: "secevent+jwt",
        ...(this.signingKey.kid ? { kid: this.signingKey.kid } : {}),
      })
      .setIssuer(this.origin)
      .setAudience(modes.wrongAudience ? "https://someone-else.example.com" : stream.aud)
      .setIssuedAt()
      .sign(key);
    return { jwt, jti };
  }

  /** Pushes one SET (RFC 8935), retried on a network failure or a 5xx; a 4xx is final. */
  private async push(stream: Stream, type: string, event: Record<string, unknown>, subId?: unknown): Promise<void> {
    if (stream.status !== "enabled" && type !== STREAM_UPDATED && type !== VERIFICATION) return;
    const { jwt, jti } = await this.sign(stream, type, event, subId);
    const modes = stream.devidp ?? {};
    if (modes.delayMs) await new Promise((r) => setTimeout(r, Math.min(modes.delayMs ?? 0, 60_000)));
    const send = async (): Promise<number | string> => {
      for (let attempt = 0; ; attempt++) {
        try {
          const res = await fetch(stream.delivery.endpoint_url, {
            method: "POST",
            headers: {
              "content-type": "application/secevent+jwt",
              accept: "application/json",
              ...(stream.delivery.authorization_header ? { authorization: stream.delivery.authorization_header } : {}),
            },
            body: jwt,
            signal: AbortSignal.timeout(TIMEOUT_MS),
          });
          await res.body?.cancel();
          if (res.status < 500 || attempt >= RETRIES) return res.status;
        } catch (err) {
          if (attempt >= RETRIES) return err instanceof Error ? err.name : "error";
        }
        await new Promise((r) => setTimeout(r, 300 * 2 ** attempt));
      }
    };
    const status = await send();
    this.deliveries.push({ streamId: stream.stream_id, eventType: type, jti, status });
    if (modes.replay) this.deliveries.push({ streamId: stream.stream_id, eventType: type, jti, status: await send() });
    if (this.deliveries.length > 500) this.deliveries.splice(0, 100);
  }
}
