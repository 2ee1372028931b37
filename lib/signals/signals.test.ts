import { createHash, createSign, generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalServer } from "../../test/support/local-server";
import { newOrganization, signInPerson } from "../../test/support/people";
import { testDatabases, useTestDatabase } from "../../test/support/databases";
import type { Connection } from "../config";
import { auditEvents, sessions, ssfStreams, type SsfStream } from "../db/schema";
import { getActiveSession } from "../sessions/store";
import { SignalError } from "./errors";
import { CAEP_CREDENTIAL_CHANGE, CAEP_SESSION_REVOKED, SSF_STREAM_UPDATED, SSF_VERIFICATION } from "./events";
import { forgetTransmitterMetadata, transmitterMetadata } from "./metadata";
import { receiveSecurityEvent, type SignalContext } from "./receive";
import { ensureStream } from "./stream";

/** A Shared Signals transmitter on loopback: metadata, keys (one of 2048 bits, one of 1024), and a stream API. */
const strong = generateKeyPairSync("rsa", { modulusLength: 2048 });
const weak = generateKeyPairSync("rsa", { modulusLength: 1024 });
const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 });
const jwk = (k: KeyObject, kid: string) => ({ ...k.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" });
let origin = "";
let close: () => Promise<void> = () => Promise.resolve();
let metadataOverride: Record<string, unknown> | null = null;
const streamApi = {
  streams: [] as Record<string, unknown>[],
  status: "enabled",
  requests: [] as { method: string; body: unknown }[],
};

beforeAll(async () => {
  const server = await startLocalServer((req, res) => {
    const url = new URL(req.url ?? "/", origin);
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(body === undefined ? "" : JSON.stringify(body));
    };
    if (url.pathname === "/.well-known/ssf-configuration") {
      send(
        200,
        metadataOverride ?? {
          issuer: origin,
          jwks_uri: `${origin}/oauth2/v1/keys`,
          configuration_endpoint: `${origin}/api/v1/ssf/stream`,
          status_endpoint: `${origin}/api/v1/ssf/stream/status`,
          verification_endpoint: `${origin}/api/v1/ssf/stream/verification`,
        },
      );
      return;
    }
    if (url.pathname === "/oauth2/v1/keys") {
      send(200, { keys: [jwk(strong.publicKey, "k1"), jwk(weak.publicKey, "weak")] });
      return;
    }
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
      streamApi.requests.push({ method: req.method ?? "GET", body });
      if (url.pathname === "/api/v1/ssf/stream") {
        if (req.method === "GET") {
          send(200, streamApi.streams);
          return;
        }
        const delivery = body?.delivery as { endpoint_url: string };
        const stream = {
          stream_id: (body?.stream_id as string | undefined) ?? `esc${randomUUID().slice(0, 8)}`,
          aud: delivery.endpoint_url,
          iss: origin,
          delivery,
          min_verification_interval: 0,
        };
        streamApi.streams = [stream];
        send(req.method === "POST" ? 201 : 200, stream);
        return;
      }
      if (url.pathname === "/api/v1/ssf/stream/status") {
        send(200, { status: streamApi.status });
        return;
      }
      if (url.pathname === "/api/v1/ssf/stream/verification") {
        send(204);
        return;
      }
      send(404, {});
    });
  });
  origin = server.origin;
  close = server.close;
});
afterAll(async () => {
  await close();
});

/** A compact JWS signed with node's crypto (jose refuses to sign with a 1024-bit key, as porter refuses to trust one). */
function jws(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: KeyObject = strong.privateKey,
): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const input = `${b64(header)}.${b64(payload)}`;
  if (header.alg === "none") return `${input}.`;
  if (header.alg === "HS256") return `${input}.${createHash("sha256").update(input).digest("base64url")}`;
  return `${input}.${createSign("RSA-SHA256").update(input).sign(key).toString("base64url")}`;
}

describe.each(testDatabases())("Shared Signals receiver on %s", (_name, dbConfig) => {
  const handle = useTestDatabase(dbConfig);
  const audience = "https://porter.example.com/api/okta/initech/security-events";

  async function setup(policy: Connection["credentialChange"] = "end_sessions_on_revoke") {
    const organization = await newOrganization(handle.db, { prefix: "ssf" });
    const stream: SsfStream = {
      organizationId: organization.id,
      streamId: "esc1",
      authHash: null,
      transmitterIssuer: origin,
      jwksUri: `${origin}/oauth2/v1/keys`,
      audience,
      status: "enabled",
      statusReason: null,
      verificationState: "state-1",
      verificationRequestedAt: new Date(),
      verifiedAt: null,
      lastEventAt: null,
      lastEventType: null,
      lastRefusedAt: null,
      lastRefusedReason: null,
      leaseUntil: null,
      updatedAt: new Date(),
    };
    await handle.db.insert(ssfStreams).values(stream);
    const sub = `00u${randomUUID().replaceAll("-", "").slice(0, 17)}`;
    const { user, sid } = await signInPerson(handle.db, organization, sub, ["Everyone"], { session: true });
    const ctx: SignalContext = {
      db: handle.db,
      organization,
      connection: { name: organization.name, credentialChange: policy },
      stream,
      client: { ip: "203.0.113.9", userAgent: "Okta SSF" },
    };
    const set = (
      type: string,
      event: Record<string, unknown>,
      over: Record<string, unknown> = {},
      header: Record<string, unknown> = {},
      key?: KeyObject,
    ) =>
      jws(
        { alg: "RS256", typ: "secevent+jwt", kid: "k1", ...header },
        {
          iss: origin,
          aud: audience,
          iat: Math.floor(Date.now() / 1000),
          jti: randomUUID(),
          events: { [type]: event },
          ...over,
        },
        key,
      );
    const revoked = (s = sub, over: Record<string, unknown> = {}) =>
      set(
        CAEP_SESSION_REVOKED,
        {
          subject: { format: "iss_sub", iss: origin, sub: s },
          event_timestamp: Date.now(),
          reason_admin: { en: "Risk level HIGH" },
        },
        over,
      );
    const refusal = async (token: string) => {
      try {
        await receiveSecurityEvent(ctx, token);
      } catch (err) {
        if (err instanceof SignalError) return err.code;
        throw err;
      }
      return "accepted";
    };
    const alive = async () => !("rejected" in (await getActiveSession(handle.db, sid ?? "")));
    return { organization, user, sub, sid, ctx, set, revoked, refusal, alive };
  }

  it("ends every session of the person on session-revoked, with Okta's reason and the event's time", async () => {
    const t = await setup();
    expect(await t.alive()).toBe(true);
    expect(await t.refusal(t.revoked())).toBe("accepted");
    expect(await t.alive()).toBe(false);
    const [revoked] = await handle.db.select().from(sessions).where(eq(sessions.userId, t.user.id));
    expect(revoked?.revokedReason).toBe("shared_signal");
    const events = await handle.db.select().from(auditEvents).where(eq(auditEvents.organizationId, t.organization.id));
    expect(events.find((e) => e.type === "session.revoked")?.details).toMatchObject({
      cause: "shared_signal",
      why: "Risk level HIGH",
    });
    expect(events.find((e) => e.type === "signals.received")?.details).toMatchObject({ effect: "ended_access" });
  });

  it("records a credential change, and ends sessions only when a credential was revoked (the default policy)", async () => {
    const t = await setup();
    const change = (changeType: string) =>
      t.set(CAEP_CREDENTIAL_CHANGE, {
        subject: { format: "iss_sub", iss: origin, sub: t.sub },
        credential_type: "password",
        change_type: changeType,
      });
    expect(await t.refusal(change("update"))).toBe("accepted");
    expect(await t.alive()).toBe(true);
    expect(await t.refusal(change("revoke"))).toBe("accepted");
    expect(await t.alive()).toBe(false);
    const record = await setup("record");
    expect(
      await record.refusal(
        record.set(CAEP_CREDENTIAL_CHANGE, {
          subject: { format: "email", email: `${record.sub}@example.com` },
          change_type: "delete",
        }),
      ),
    ).toBe("accepted");
    expect(await record.alive()).toBe(true);
  });

  it("acknowledges verification with porter's state and records a stream's new status", async () => {
    const t = await setup();
    expect(
      await t.refusal(t.set(SSF_VERIFICATION, { state: "not-ours" }, { sub_id: { format: "opaque", id: "esc1" } })),
    ).toBe("invalid_request");
    expect(
      await t.refusal(t.set(SSF_VERIFICATION, { state: "state-1" }, { sub_id: { format: "opaque", id: "esc1" } })),
    ).toBe("accepted");
    expect(await t.refusal(t.set(SSF_STREAM_UPDATED, { status: "disabled", reason: "admin paused it" }))).toBe(
      "accepted",
    );
    const [row] = await handle.db.select().from(ssfStreams).where(eq(ssfStreams.organizationId, t.organization.id));
    expect(row).toMatchObject({ status: "disabled", statusReason: "admin paused it" });
    expect(row?.verifiedAt).toBeInstanceOf(Date);
  });

  it("refuses every malformed or hostile SET with RFC 8935's code, and ends no session", async () => {
    const t = await setup();
    const now = Math.floor(Date.now() / 1000);
    const subject = { subject: { format: "iss_sub", iss: origin, sub: t.sub } };
    const cases: [string, string, string][] = [
      ["another key", t.set(CAEP_SESSION_REVOKED, subject, {}, {}, stranger.privateKey), "invalid_key"],
      ["alg none", t.set(CAEP_SESSION_REVOKED, subject, {}, { alg: "none" }), "invalid_key"],
      ["HS256", t.set(CAEP_SESSION_REVOKED, subject, {}, { alg: "HS256" }), "invalid_key"],
      ["a 1024-bit key", t.set(CAEP_SESSION_REVOKED, subject, {}, { kid: "weak" }, weak.privateKey), "invalid_key"],
      ["wrong typ", t.set(CAEP_SESSION_REVOKED, subject, {}, { typ: "JWT" }), "invalid_request"],
      ["wrong iss", t.set(CAEP_SESSION_REVOKED, subject, { iss: "https://evil.okta.com" }), "invalid_issuer"],
      ["wrong aud", t.set(CAEP_SESSION_REVOKED, subject, { aud: "https://other.example.com" }), "invalid_audience"],
      ["no jti", t.set(CAEP_SESSION_REVOKED, subject, { jti: undefined }), "invalid_request"],
      ["exp present", t.set(CAEP_SESSION_REVOKED, subject, { exp: now + 600 }), "invalid_request"],
      ["iat in the future", t.set(CAEP_SESSION_REVOKED, subject, { iat: now + 3600 }), "invalid_request"],
      ["sub at the top level", t.set(CAEP_SESSION_REVOKED, subject, { sub: t.sub }), "invalid_request"],
      [
        "two events",
        t.set(CAEP_SESSION_REVOKED, subject, {
          events: { [CAEP_SESSION_REVOKED]: subject, [CAEP_CREDENTIAL_CHANGE]: subject },
        }),
        "invalid_request",
      ],
      ["an unknown event type", t.set("https://example.com/event/unknown", subject), "invalid_request"],
      [
        "another organization's issuer",
        t.set(CAEP_SESSION_REVOKED, { subject: { format: "iss_sub", iss: "https://other.okta.com", sub: t.sub } }),
        "invalid_request",
      ],
      [
        "an opaque subject",
        t.set(CAEP_SESSION_REVOKED, { subject: { format: "opaque", id: t.sub } }),
        "invalid_request",
      ],
      ["not a JWT", "this is not a jwt", "invalid_request"],
      ["a megabyte", `${"a".repeat(1024 * 1024)}.b.c`, "invalid_request"],
    ];
    for (const [what, token, code] of cases) expect([what, await t.refusal(token)]).toEqual([what, code]);
    expect(await t.alive()).toBe(true);
    // A known token, replayed: refused the second time.
    const once = t.revoked(`00unobody${randomUUID().slice(0, 8)}`);
    expect(await t.refusal(once)).toBe("accepted");
    expect(await t.refusal(once)).toBe("invalid_request");
    // An unknown person: accepted, recorded, nothing ended.
    const unknown = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.organizationId, t.organization.id), eq(auditEvents.type, "signals.received")));
    expect(unknown.map((e) => e.details.effect)).toEqual(["unknown_person"]);
    expect(await t.alive()).toBe(true);
  });

  it("takes 100 pushes at once: each accepted once, the same jti once only", async () => {
    const t = await setup();
    const distinct = Array.from({ length: 100 }, () => t.revoked());
    const results = await Promise.all(distinct.map((token) => t.refusal(token)));
    expect(results.filter((r) => r === "accepted")).toHaveLength(100);
    expect(await t.alive()).toBe(false);
    const same = t.revoked();
    const raced = await Promise.all(Array.from({ length: 20 }, () => t.refusal(same)));
    expect(raced.filter((r) => r === "accepted")).toHaveLength(1);
  });
});

describe.each(testDatabases())("Shared Signals stream management on %s", (_name, dbConfig) => {
  const handle = useTestDatabase(dbConfig);
  const connection = (name: string) =>
    ({
      name,
      issuer: `${origin}/oauth2/default`,
      oktaApiToken: "ssws-test-token",
      oktaServiceApp: undefined,
    }) as unknown as Connection;

  it("registers the stream, asks for verification, creates it again when Okta deleted it, and shows a disabled one", async () => {
    const org = await newOrganization(handle.db, { prefix: "ssf-stream" });
    forgetTransmitterMetadata();
    streamApi.streams = [];
    streamApi.status = "enabled";
    streamApi.requests = [];
    const first = await ensureStream(handle.db, connection(org.name), "https://porter.example.com");
    expect(first).toMatchObject({
      status: "enabled",
      audience: `https://porter.example.com/api/okta/${org.name}/security-events`,
    });
    expect(first?.authHash).toMatch(/^[0-9a-f]{64}$/);
    expect(first?.verificationState).toBeTruthy();
    const posted = streamApi.requests.find((r) => r.method === "POST")?.body as {
      delivery: { authorization_header: string };
    };
    expect(createHash("sha256").update(posted.delivery.authorization_header).digest("hex")).toBe(first?.authHash);
    // Deleted at Okta's side: created again, with a new header.
    streamApi.streams = [];
    await handle.db.update(ssfStreams).set({ leaseUntil: null }).where(eq(ssfStreams.organizationId, org.id));
    const again = await ensureStream(handle.db, connection(org.name), "https://porter.example.com");
    expect(again?.streamId).not.toBe(first?.streamId);
    // Disabled at Okta's side: shown as such.
    streamApi.status = "disabled";
    const disabled = await ensureStream(handle.db, connection(org.name), "https://porter.example.com");
    expect(disabled?.status).toBe("disabled");
  });

  it("trusts no transmitter metadata that names another host, and fetches none from a private address", async () => {
    forgetTransmitterMetadata();
    metadataOverride = {
      issuer: origin,
      jwks_uri: "https://attacker.example.com/keys",
      configuration_endpoint: `${origin}/api/v1/ssf/stream`,
    };
    await expect(transmitterMetadata({ issuer: `${origin}/oauth2/default` })).rejects.toMatchObject({
      code: "signals_unavailable",
    });
    metadataOverride = null;
    forgetTransmitterMetadata();
    await expect(transmitterMetadata({ issuer: "https://10.0.0.7/oauth2/default" })).rejects.toMatchObject({
      code: "signals_unavailable",
    });
    const org = await newOrganization(handle.db, { prefix: "ssf-none" });
    const without = await ensureStream(
      handle.db,
      { ...connection(org.name), oktaApiToken: undefined },
      "https://porter.example.com",
    );
    expect(without?.status).toBe("error");
    expect(without?.statusReason).toContain("ssf.manage");
  });
});
