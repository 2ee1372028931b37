import type { RateLimits } from "./rate-limits";
import type { Region } from "./schemas";
import type { OktaServiceApp } from "./service-app";
import type { TrustedProxies } from "./trusted-proxies";

/** The configuration's shapes: what lib/config parses from the environment and the connections file. */
export interface Connection {
  /** URL-safe name; also the Auth.js provider id and the organization's name. */
  readonly name: string;
  readonly issuer: string;
  readonly clientId: string;
  /** Undefined for an Okta "Single-Page" app (public client, PKCE only). */
  readonly clientSecret: string | undefined;
  readonly region: Region;
  readonly scopes: string;
  readonly groupsClaim: string;
  readonly groupsAllow: string;
  readonly groupsBlock: string | undefined;
  /**
   * Break-glass: groups of this organization that always grant admin (ADMIN_GROUPS for the default
   * connection, `adminGroups` in the connections file). Never shared between organizations.
   */
  readonly adminGroups: readonly string[];
  /** Audience of the Okta access tokens accepted on /api/v1 (the custom authorization server's audience). */
  readonly apiAudience: string;
  /** Okta apps (cid) whose access tokens /api/v1 accepts: this app, a CLI, service clients. */
  readonly apiClientIds: readonly string[];
  /** Rules as code for this organization (else ORG_SEED_FILE). */
  readonly seedFile: string | undefined;
  /** Okta API token (read-only admin) for the Apps API check; never logged or sent to the browser. */
  readonly oktaApiToken: string | undefined;
  /** An Okta API Services app (private_key_jwt) for the Users API and the System Log; preferred over the API token. */
  readonly oktaServiceApp: OktaServiceApp | undefined;
  /**
   * The shared secret Okta sends with every Event Hook delivery (Okta has no signature for event hooks),
   * in the header `eventHookHeader` (Okta's default: Authorization). Unset: the hook endpoint refuses all.
   */
  readonly eventHookSecret: string | undefined;
  readonly eventHookHeader: string;
  /**
   * Which source is the authority for people's groups: `claim` (the ID token's groups claim, the Users API
   * past Okta's 100-group cap), `users-api` (always Okta's Users API at sign-in), or `scim` (the groups
   * Okta pushes over SCIM: sign-in reads them and changes no membership).
   */
  readonly groupsSource: GroupsSourceSetting;
  /** Only people Okta provisioned over SCIM, and has not deactivated, may sign in. */
  readonly requireProvisioning: boolean;
  /** A SCIM bearer token the deployment's environment names (the demo's); console-made tokens live in the database. */
  readonly scimToken: string | undefined;
  /**
   * Shared Signals: porter registers a stream at Okta (the transmitter) with the Okta API credential
   * (scopes ssf.manage, ssf.read) and ends sessions on CAEP session-revoked.
   */
  readonly sharedSignals: boolean;
  /** What a CAEP credential-change does: record it, end sessions when a credential was revoked or deleted (default), or always. */
  readonly credentialChange: CredentialChangePolicy;
}

export const CREDENTIAL_CHANGE_POLICIES = ["record", "end_sessions_on_revoke", "end_sessions"] as const;
export type CredentialChangePolicy = (typeof CREDENTIAL_CHANGE_POLICIES)[number];

export const GROUPS_SOURCE_SETTINGS = ["claim", "users-api", "scim"] as const;
export type GroupsSourceSetting = (typeof GROUPS_SOURCE_SETTINGS)[number];

export type DatabaseConfig =
  | { kind: "pglite"; dataDir: string }
  /**
   * `migrationUrl`: the role that owns the tables and runs the migrations (DATABASE_MIGRATION_URL), so the
   * role porter runs as (`url`) may hold only SELECT and INSERT on the audit tables.
   */
  | { kind: "postgres"; url: string; migrationUrl?: string };

export interface Config {
  readonly region: Region;
  /** Public base URL of this deployment (the URL of `region`). */
  readonly publicUrl: string;
  readonly regionUrls: Readonly<Record<Region, string>>;
  readonly authSecret: string;
  readonly sessionMaxAgeSeconds: number;
  /**
   * Platform operators (the portal vendor's support staff): members of these groups in the platform
   * organization (the default, environment-configured connection) may run the Okta configuration check
   * on any organization's connection. They see check results only, never another organization's data.
   */
  readonly platformAdminGroups: readonly string[];
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  readonly connections: readonly Connection[];
  /** Rules as code: roles, mapping rules and services a new organization starts with (applied once). */
  readonly orgSeedFile: string | undefined;
  /** Bearer token that shows per-connection details on /api/health (monitoring); without it the public sees totals only. */
  readonly healthToken: string | undefined;
  /** How often each organization with an Okta API token polls Okta's System Log (seconds; 0: never). */
  readonly logPollSeconds: number;
  /**
   * Without a live source (Event Hook or System Log polling), a session's groups are re-read from Okta
   * once they are older than this (seconds).
   */
  readonly groupsMaxAgeSeconds: number;
  /** How long stale groups are still served while Okta cannot be reached; after that the session is refused. */
  readonly groupsGraceSeconds: number;
  /** Which hops in front may say who the client is (TRUSTED_PROXIES); none: the socket peer is the client. */
  readonly trustedProxies: TrustedProxies;
  /** Requests per minute per limit and scope, shared by all nodes (RATE_LIMITS overrides the defaults). */
  readonly rateLimits: RateLimits;
}
