import { randomUUID } from "node:crypto";
import { importJWK, SignJWT, type JWK } from "jose";
import { groupId, type Directory, type DirectoryUser } from "./directory";
import { AUTH_SERVER_PATH } from "./env";

/** A System Log LogEvent, the fields Okta documents (OKTA-FACTS §1). */
export interface LogEvent {
  uuid: string;
  published: string;
  eventType: string;
  version: "0";
  severity: "INFO" | "WARN";
  displayMessage: string;
  actor: { id: string; type: string; alternateId: string; displayName: string } | null;
  client: null;
  outcome: { result: "SUCCESS" | "FAILURE"; reason: string | null };
  target: { id: string; type: string; alternateId: string; displayName: string }[] | null;
  transaction: { type: "WEB"; id: string };
  debugContext: { debugData: Record<string, string> };
  legacyEventType: null;
  /** devidp's order of insertion: the System Log's polling cursor. */
  seq: number;
}

/** A LogEvent as Okta sends it: without devidp's own cursor. */
export function publicEvent(event: LogEvent): Omit<LogEvent, "seq"> {
  const copy: Partial<LogEvent> = { ...event };
  delete copy.seq;
  return copy as Omit<LogEvent, "seq">;
}

export interface EventHook {
  id: string;
  name: string;
  status: "ACTIVE" | "INACTIVE";
  verificationStatus: "UNVERIFIED" | "VERIFIED";
  events: { type: "EVENT_TYPE"; items: string[] };
  channel: {
    type: "HTTP";
    version: "1.0.0";
    config: {
      uri: string;
      headers: { key: string; value: string }[];
      authScheme: { type: "HEADER"; key: string; value: string } | null;
    };
  };
  created: string;
  /** devidp test modes: send every batch twice; send a batch's events in reverse order; send actor/target null. */
  devidp?: { duplicate?: boolean; reorder?: boolean; nullTargets?: boolean };
}

export interface Actor {
  id: string;
  type: string;
  alternateId: string;
  displayName: string;
}

/** The admin the management API acts as (Okta records the API token's owner as the actor). */
export const ADMIN_ACTOR: Actor = {
  id: "00u1admin0000000001",
  type: "User",
  alternateId: "admin@example.com",
  displayName: "Demo Admin (API token)",
};
/** Okta Access Requests ending a time-bound grant. */
export const ACCESS_REQUESTS_ACTOR: Actor = {
  id: "0oaaccessrequests01",
  type: "PublicClientApp",
  alternateId: "Okta Access Requests",
  displayName: "Okta Access Requests",
};

const HOOK_TIMEOUT_MS = 3000;
const BATCH_WINDOW_MS = 50;
const LOG_LIMIT = 10_000;

const userTarget = (u: DirectoryUser) => ({ id: u.id, type: "User", alternateId: u.email, displayName: u.name });
const groupTarget = (name: string) => ({
  id: groupId(name),
  type: "UserGroup",
  alternateId: "unknown",
  displayName: name,
});

/**
 * The Okta org behind devidp's management API: memberships and lifecycle change the directory (so the next
 * token carries them), every change is a System Log event, and events go to the registered, verified Event
 * Hooks in batches (3 s timeout, one retry on a timeout or 5xx, none on 4xx, like Okta). "Clear user sessions"
 * with apps included sends Universal Logout to each app that has an endpoint, signed with the ID-token key.
 */
export class OktaOrg {
  readonly log: LogEvent[] = [];
  readonly hooks: EventHook[] = [];
  private seq = 0;
  private readonly pending = new Map<string, LogEvent[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Whoever else follows the org's changes (the apps' SCIM provisioning). */
  readonly listeners: ((event: LogEvent) => void)[] = [];
  /** Time-bound grants (Access Requests): key user|group, the timer that ends them. */
  private readonly grants = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly directory: Directory,
    private readonly signingKey: JWK,
    private readonly origin: string,
  ) {}

  emit(eventType: string, displayMessage: string, actor: Actor, target: LogEvent["target"]): LogEvent {
    const event: LogEvent = {
      uuid: randomUUID(),
      published: new Date().toISOString(),
      eventType,
      version: "0",
      severity: "INFO",
      displayMessage,
      actor,
      client: null,
      outcome: { result: "SUCCESS", reason: null },
      target,
      transaction: { type: "WEB", id: randomUUID().replaceAll("-", "").slice(0, 20) },
      debugContext: { debugData: {} },
      legacyEventType: null,
      seq: ++this.seq,
    };
    this.log.push(event);
    for (const listener of this.listeners) listener(event);
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
    for (const hook of this.hooks) {
      if (hook.status === "ACTIVE" && hook.verificationStatus === "VERIFIED" && hook.events.items.includes(eventType))
        this.queue(hook, event);
    }
    return event;
  }

  /** Adds a membership; with `expiresInSeconds`, a time-bound grant that Okta Access Requests removes when it ends. */
  addMembership(
    user: DirectoryUser,
    group: string,
    actor: Actor,
    expiresInSeconds?: number,
  ): { expiresAt: string | null } {
    const key = `${user.id}|${group}`;
    this.cancelGrant(key);
    this.directory.extraGroups.add(group);
    if (!user.groups.includes(group)) {
      user.groups.push(group);
      this.emit("group.user_membership.add", "Add user to group membership", actor, [
        userTarget(user),
        groupTarget(group),
      ]);
    }
    if (!expiresInSeconds) return { expiresAt: null };
    const expiresAt = new Date(Date.now() + expiresInSeconds * 1000).toISOString();
    const timer = setTimeout(() => {
      this.removeMembership(user, group, ACCESS_REQUESTS_ACTOR);
    }, expiresInSeconds * 1000);
    timer.unref();
    this.grants.set(key, timer);
    return { expiresAt };
  }

  /** A membership changed by hand ends any time-bound grant of it. */
  private cancelGrant(key: string): void {
    clearTimeout(this.grants.get(key));
    this.grants.delete(key);
  }

  removeMembership(user: DirectoryUser, group: string, actor: Actor): boolean {
    const at = user.groups.indexOf(group);
    if (at < 0) return false;
    user.groups.splice(at, 1);
    this.cancelGrant(`${user.id}|${group}`);
    this.emit("group.user_membership.remove", "Remove user from group membership", actor, [
      userTarget(user),
      groupTarget(group),
    ]);
    return true;
  }

  setStatus(
    user: DirectoryUser,
    status: NonNullable<DirectoryUser["status"]>,
    eventType: string,
    message: string,
  ): void {
    user.status = status;
    this.emit(eventType, message, ADMIN_ACTOR, [userTarget(user)]);
  }

  /** An Okta session of the person ended (sign-out, an admin's clear): user.session.end. */
  endSession(user: DirectoryUser, actor: Actor, message = "User logout from Okta"): void {
    this.emit("user.session.end", message, actor, [userTarget(user)]);
  }

  /**
   * "Clear user sessions": a System Log event, and with apps included, a Universal Logout request to each
   * app that has an endpoint. Returns each app's answer (status code), as Okta's admin would see it.
   */
  async clearSessions(
    user: DirectoryUser,
    universalLogout: boolean,
  ): Promise<{ app: string; status: number | string }[]> {
    this.emit("user.session.clear", "Clear user session", ADMIN_ACTOR, [userTarget(user)]);
    // The person's Okta sessions end: what Okta's Shared Signals transmitter sends as CAEP session-revoked.
    this.endSession(user, ADMIN_ACTOR, "Admin cleared the user's sessions");
    if (!universalLogout) return [];
    const results: { app: string; status: number | string }[] = [];
    for (const client of this.directory.clients) {
      if (!client.universal_logout) continue;
      const { uri, subject_format: format = "email" } = client.universal_logout;
      const issuer =
        (client.authorization_server ?? "default") === "org" ? this.origin : `${this.origin}${AUTH_SERVER_PATH}`;
      const subId =
        format === "email" ? { format: "email", email: user.email } : { format: "iss_sub", iss: issuer, sub: user.id };
      try {
        const res = await fetch(uri, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${await this.logoutToken(client.client_id, uri)}`,
          },
          body: JSON.stringify({ sub_id: subId }),
          signal: AbortSignal.timeout(HOOK_TIMEOUT_MS),
        });
        results.push({ app: client.client_id, status: res.status });
      } catch (err) {
        results.push({ app: client.client_id, status: err instanceof Error ? err.name : "error" });
      }
      this.emit("user.authentication.universal_logout", "User universal logout", ADMIN_ACTOR, [
        userTarget(user),
        { id: client.client_id, type: "AppInstance", alternateId: client.label, displayName: client.label },
      ]);
    }
    return results;
  }

  /** Okta's Universal Logout JWT: typ global-token-revocation+jwt, iss the org, sub the client, aud the endpoint, 5 min. */
  async logoutToken(clientId: string, audience: string): Promise<string> {
    const key = await importJWK(this.signingKey, "RS256");
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({
        alg: "RS256",
        typ: "global-token-revocation+jwt",
        ...(this.signingKey.kid ? { kid: this.signingKey.kid } : {}),
      })
      .setIssuer(this.origin)
      .setSubject(clientId)
      .setAudience(audience)
      .setIssuedAt(now)
      .setNotBefore(now - 300)
      .setExpirationTime(now + 300)
      .sign(key);
  }

  /** The one-time verification: GET with a challenge, the answer must echo it (one retry, 3 s each). */
  async verify(hook: EventHook): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const challenge = randomUUID();
      try {
        const res = await fetch(hook.channel.config.uri, {
          headers: { ...this.hookHeaders(hook), "x-okta-verification-challenge": challenge },
          signal: AbortSignal.timeout(HOOK_TIMEOUT_MS),
        });
        const body = (await res.json().catch(() => null)) as { verification?: unknown } | null;
        if (res.ok && body?.verification === challenge) {
          hook.verificationStatus = "VERIFIED";
          return true;
        }
      } catch {
        // a timeout or a refused connection: retried once
      }
    }
    return false;
  }

  private hookHeaders(hook: EventHook): Record<string, string> {
    const headers: Record<string, string> = { accept: "application/json", "content-type": "application/json" };
    for (const h of hook.channel.config.headers) headers[h.key] = h.value;
    const auth = hook.channel.config.authScheme;
    if (auth) headers[auth.key] = auth.value;
    return headers;
  }

  private queue(hook: EventHook, event: LogEvent): void {
    const list = this.pending.get(hook.id) ?? [];
    list.push(event);
    this.pending.set(hook.id, list);
    if (this.timers.has(hook.id)) return;
    // Events close together are amalgamated into one delivery, as Okta does.
    this.timers.set(
      hook.id,
      setTimeout(() => {
        this.timers.delete(hook.id);
        const batch = this.pending.get(hook.id) ?? [];
        this.pending.delete(hook.id);
        void this.deliver(hook, batch);
      }, BATCH_WINDOW_MS),
    );
  }

  private async deliver(hook: EventHook, batch: LogEvent[]): Promise<void> {
    const events = (hook.devidp?.reorder ? [...batch].reverse() : batch)
      .map(publicEvent)
      .map((e) => (hook.devidp?.nullTargets ? { ...e, actor: null, target: null } : e));
    const body = JSON.stringify({
      eventType: "com.okta.event_hook",
      eventTypeVersion: "1.0",
      cloudEventsVersion: "0.1",
      source: `${this.origin}/api/v1/eventHooks/${hook.id}`,
      eventId: randomUUID(),
      eventTime: new Date().toISOString(),
      contentType: "application/json",
      data: { events },
    });
    const sends = hook.devidp?.duplicate ? 2 : 1;
    for (let n = 0; n < sends; n++) {
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          const res = await fetch(hook.channel.config.uri, {
            method: "POST",
            headers: this.hookHeaders(hook),
            body,
            signal: AbortSignal.timeout(HOOK_TIMEOUT_MS),
          });
          await res.arrayBuffer().catch(() => undefined);
          if (res.status < 500) {
            if (!res.ok) this.deliveryFailed(hook, `HTTP ${String(res.status)}`);
            break;
          }
          if (attempt === 1) this.deliveryFailed(hook, `HTTP ${String(res.status)}`);
        } catch (err) {
          if (attempt === 1) this.deliveryFailed(hook, err instanceof Error ? err.name : "error");
        }
      }
    }
  }

  private deliveryFailed(hook: EventHook, why: string): void {
    const event = this.emit("event_hook.delivery", `Event hook delivery failed: ${why}`, ADMIN_ACTOR, [
      { id: hook.id, type: "EventHook", alternateId: hook.channel.config.uri, displayName: hook.name },
    ]);
    event.outcome = { result: "FAILURE", reason: why };
  }
}
