import type { NextAuthConfig } from "next-auth";
import { encode as encodeJwt } from "next-auth/jwt";
import Okta from "next-auth/providers/okta";
import { customFetch } from "@auth/core";
import { oktaFetch } from "../okta/okta-fetch";
import type { AuditEvent } from "../audit/events";
import type { Config, Connection, Region } from "../config";
import type { Db } from "../db/client";
import type { GroupsSourceKind } from "../db/schema";
import { verifyIdToken } from "../okta";
import { lockGroupWrites, organizationFor, ruleSetFor } from "../organizations";
import { pushedSignInGroups, readSignInGroups, recordSignIn } from "../people";
import { provisioningAtSignIn } from "../provisioning";
import { resolveIdentity, type Permission, type RoleGrant } from "../rbac";
import { captureAuthError } from "./context";
import { authCookies } from "./cookies";
import { keepGroupsFresh } from "../live-groups/freshness";
import { AuthFlowError } from "./errors";
import { checkSession } from "../sessions/cache";
import { createSession, revokeSessionAudited, type ActiveSession } from "../sessions/store";
import { toSafeRedirectPath } from "./redirects";
import { isDatabaseUnavailable, markDatabaseUnavailable } from "../db/unavailable";

/** What the server knows about the signed-in person, built on every request from the checked session. */
export interface PorterSessionView {
  user: { id: string; sub: string; email: string | null; name: string | null };
  organizationId: string;
  connection: string;
  region: Region;
  /** Kept groups (the person's teams) as of their last sign-in. */
  groups: string[];
  rawGroupCount: number;
  /** Where the groups came from at sign-in, and when Okta last confirmed them (sign-in or an Okta event). */
  groupsSource: GroupsSourceKind;
  groupsConfirmedAt: string;
  /** Effective roles with provenance, resolved now from the teams and the organization's current rules. */
  roles: RoleGrant[];
  permissions: Permission[];
  /** True when the person holds a role only because no rule matched and a default role is set. */
  defaultRoleApplied: boolean;
  createdAt: string;
  expiresAt: string;
}

declare module "next-auth" {
  interface Session {
    porter: PorterSessionView;
  }
}
declare module "@auth/core/jwt" {
  interface JWT {
    /** The raw server-side session id: the only thing the cookie carries. */
    sid?: string;
    view?: PorterSessionView;
  }
}

export interface AuthDeps {
  config: Config;
  db: () => Promise<Db>;
  /** Writes an event that has no change to commit with (retried until the database takes it). */
  audit: (event: AuditEvent) => Promise<void>;
  /** The same, aggregated per reason, address and minute: for refusals anyone can cause in bulk. */
  auditFlood?: (event: AuditEvent) => Promise<void>;
  /** Whether a completed sign-in of this organization is over its per-minute budget (counted when asked). */
  overSignInBudget?: (organization: { id: string; name: string }) => Promise<boolean>;
  /** Client address and user agent of the request being served, for the audit log. */
  ip?: string | null;
  userAgent?: string | null;
}

async function toView(
  active: ActiveSession,
  connection: Connection | undefined,
  config: Config,
  db: Db,
): Promise<PorterSessionView> {
  const { session, user, teams } = active;
  // The connection of the injected configuration (a connection no longer configured grants nothing by config).
  const organization = await organizationFor(
    db,
    connection ?? { name: session.connection, adminGroups: [], groupsAllow: ".*", groupsBlock: undefined },
  );
  const ruleSet = await ruleSetFor(db, organization);
  const resolution = resolveIdentity(ruleSet, { kind: "groups", groups: teams });
  return {
    user: { id: user.id, sub: user.sub, email: user.email, name: user.name },
    organizationId: session.organizationId,
    connection: session.connection,
    region: connection?.region ?? config.region,
    groups: teams,
    rawGroupCount: session.rawGroupCount,
    groupsSource: session.groupsSource,
    groupsConfirmedAt: session.groupsConfirmedAt.toISOString(),
    roles: [...resolution.roles],
    permissions: [...resolution.permissions],
    defaultRoleApplied: resolution.defaultRoleApplied,
    createdAt: session.createdAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
  };
}

/**
 * Every request after sign-in: the server-side session the cookie's id points at, checked (from the node's
 * memory when it may be trusted), its groups kept fresh, and turned into what the server knows of the
 * person. Null when it is refused: revoked, expired, unknown, or groups too stale; each refusal is recorded
 * once per kind, address and minute.
 */
export async function viewOfSession(deps: AuthDeps, db: Db, sid: string): Promise<PorterSessionView | null> {
  const { config } = deps;
  const active = await checkSession(db, sid);
  if ("rejected" in active) {
    await (deps.auditFlood ?? deps.audit)({
      type: "session.rejected",
      organizationId: active.session?.organizationId ?? null,
      connection: active.session?.connection ?? null,
      ip: deps.ip ?? null,
      userAgent: deps.userAgent ?? null,
      target: active.session ? `user:${active.session.userId}` : null,
      reason: active.rejected,
      details: {
        reason: active.rejected,
        ...(active.session?.revokedReason ? { revokedReason: active.session.revokedReason } : {}),
      },
    });
    return null;
  }
  const connection = config.connections.find((c) => c.name === active.session.connection);
  const fresh = await keepGroupsFresh(db, active, connection, { config });
  if (!fresh.ok) {
    await (deps.auditFlood ?? deps.audit)({
      type: "session.rejected",
      organizationId: active.session.organizationId,
      connection: active.session.connection,
      ip: deps.ip ?? null,
      userAgent: deps.userAgent ?? null,
      target: `user:${active.session.userId}`,
      reason: fresh.rejected,
      details: { reason: fresh.rejected, groupsConfirmedAt: active.session.groupsConfirmedAt.toISOString() },
    });
    return null;
  }
  const current = fresh.refreshed ? await checkSession(db, sid) : active;
  if ("rejected" in current) return null;
  return toView(current, connection, config, db);
}

type JwtCallback = NonNullable<NonNullable<NextAuthConfig["callbacks"]>["jwt"]>;

const stringClaim = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v.slice(0, 320) : null);

/** The Auth.js configuration: one Okta provider per connection, server-side sessions, strict checks. */
export function createAuthConfig(deps: AuthDeps): NextAuthConfig {
  const { config } = deps;
  const connectionFor = (providerId: string): Connection => {
    const connection = config.connections.find((c) => c.name === providerId);
    if (!connection) {
      throw new AuthFlowError({
        code: "unknown_connection",
        message: `no connection ${providerId}`,
        userMessage: "Unknown connection.",
      });
    }
    return connection;
  };

  /** The jwt callback's work: a sign-in creates the server-side session; every later request checks it. */
  const sessionToken = async ({
    token,
    account,
    profile,
    trigger,
  }: Parameters<JwtCallback>[0]): Promise<Awaited<ReturnType<JwtCallback>>> => {
    const db = await deps.db();
    if (trigger === "signIn" && account && profile) {
      const connection = connectionFor(account.provider);
      const sub = stringClaim(profile.sub);
      if (!sub)
        throw new AuthFlowError({
          code: "id_token_invalid",
          message: "ID token without sub",
          userMessage: "No subject.",
        });
      const organization = await organizationFor(db, connection);
      // A completed sign-in (the code exchanged, the ID token verified) is what counts against the
      // organization's budget: forged or abandoned starts and callbacks cannot spend it.
      if (await deps.overSignInBudget?.(organization))
        throw new AuthFlowError({
          code: "organization_busy",
          message: `sign-in budget of ${organization.name} spent`,
          userMessage: "Too many sign-ins for your organization right now.",
        });
      // Provisioning: a person Okta deactivated over SCIM is refused; one it never provisioned too, when
      // the organization requires it. With groupsSource scim, the groups are the ones Okta pushed.
      const person = { sub, userName: stringClaim(profile.preferred_username) ?? stringClaim(profile.email) };
      const refused = (code: "not_provisioned" | "deprovisioned") =>
        new AuthFlowError({
          code,
          message: `${code} at sign-in to ${organization.name}`,
          userMessage:
            code === "deprovisioned"
              ? "Okta deactivated your porter access."
              : "Okta has not provisioned you to porter.",
        });
      const provisioning = await provisioningAtSignIn(db, organization.id, connection, person);
      if (!provisioning.ok) throw refused(provisioning.code);
      const ruleSet = await ruleSetFor(db, organization);
      const claim: unknown = profile[connection.groupsClaim];
      const fromOkta =
        connection.groupsSource === "scim" ? null : await readSignInGroups(connection, ruleSet, sub, claim);
      // The person, their teams and roles, the session and the audit events commit together or not at all.
      const sid = await db.transaction(async (tx) => {
        // Under the organization's group-writes lock, shared (sign-ins do not wait for each other): a rule
        // change, a SCIM push or a deactivation that committed since the reads above is seen now, and one
        // that comes after waits for this sign-in, then sees its session and roles.
        await lockGroupWrites(tx, organization.id, "shared");
        const now = provisioning.provisioned
          ? await provisioningAtSignIn(tx, organization.id, connection, person)
          : provisioning;
        if (!now.ok) throw refused(now.code);
        const rules = await ruleSetFor(tx, organization, { current: true });
        const read = fromOkta ?? pushedSignInGroups(rules, now.pushedGroups);
        const { user } = await recordSignIn(tx, {
          organizationId: organization.id,
          connection: connection.name,
          ruleSet: rules,
          profile: { sub, email: stringClaim(profile.email), name: stringClaim(profile.name) },
          read,
          client: { ip: deps.ip ?? null, userAgent: deps.userAgent ?? null },
        });
        return createSession(tx, {
          userId: user.id,
          organizationId: organization.id,
          connection: connection.name,
          rawGroupCount: read.mapping.rawGroupCount,
          groupsSource: read.source,
          // Sealed under AUTH_SECRET and bound to this session (a database dump alone reveals no token): the ID
          // token for id_token_hint at sign-out; with offline_access and the app's Refresh Token grant, the
          // refresh token that re-reads the groups once they are older than GROUPS_MAX_AGE.
          tokens: {
            secret: config.authSecret,
            idToken: account.id_token ?? null,
            refreshToken: typeof account.refresh_token === "string" ? account.refresh_token : null,
          },
          maxAgeSeconds: config.sessionMaxAgeSeconds,
        });
      });
      return { sid };
    }
    if (typeof token.sid !== "string") return null;
    const view = await viewOfSession(deps, db, token.sid);
    return view ? { sid: token.sid, view } : null;
  };

  return {
    secret: config.authSecret,
    trustHost: true,
    basePath: "/api/auth",
    session: { strategy: "jwt", maxAge: config.sessionMaxAgeSeconds },
    cookies: authCookies(config.publicUrl),
    pages: { signIn: "/", error: "/auth/error" },
    providers: config.connections.map((c) =>
      Okta({
        id: c.name,
        name: `Okta (${c.name})`,
        issuer: c.issuer,
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        // Auth.js's Okta provider checks only pkce and state; porter always adds nonce.
        checks: ["pkce", "state", "nonce"],
        authorization: { params: { scope: c.scopes } },
        // Discovery from porter's cache: no round trip to Okta per sign-in start and callback.
        [customFetch]: oktaFetch(c.issuer),
        ...(c.clientSecret ? {} : { client: { token_endpoint_auth_method: "none" } }),
      }),
    ),
    jwt: {
      // Whatever a callback puts on the token, the cookie carries only the opaque session id.
      encode: (params) => encodeJwt({ ...params, token: params.token?.sid ? { sid: params.token.sid } : {} }),
    },
    logger: {
      error: (error) => {
        captureAuthError(error);
      },
      warn: () => undefined,
      debug: () => undefined,
    },
    callbacks: {
      async signIn({ account }) {
        if (!account || typeof account.id_token !== "string") {
          throw new AuthFlowError({
            code: "id_token_invalid",
            message: "no ID token in the token response",
            userMessage: "No ID token.",
          });
        }
        const connection = connectionFor(account.provider);
        // Auth.js does not verify the signature of an ID token from the token endpoint; porter does.
        await verifyIdToken(account.id_token, { issuer: connection.issuer, clientId: connection.clientId });
        return true;
      },
      async jwt(params) {
        try {
          return await sessionToken(params);
        } catch (err) {
          // The database could not be reached: the request answers 503 (retry), never "you are signed out".
          if (isDatabaseUnavailable(err)) markDatabaseUnavailable();
          throw err;
        }
      },
      session({ session, token }) {
        const view = token.view;
        if (!view) throw new Error("session without a server-side view");
        return {
          expires: session.expires,
          user: { id: view.user.id, email: view.user.email ?? "", name: view.user.name, emailVerified: null },
          porter: view,
        };
      },
      redirect({ url, baseUrl }) {
        return `${baseUrl}${toSafeRedirectPath(url, baseUrl)}`;
      },
    },
    events: {
      async signOut(message) {
        const sid = "token" in message ? message.token?.sid : undefined;
        if (typeof sid !== "string") return;
        await revokeSessionAudited(await deps.db(), sid, "sign_out", (revoked) => ({
          type: "sign_out",
          organizationId: revoked.organizationId,
          connection: revoked.connection,
          ip: deps.ip ?? null,
          userAgent: deps.userAgent ?? null,
          target: `user:${revoked.userId}`,
          details: { reason: "sign_out" },
        }));
      },
    },
  };
}
