import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { IdpEnv } from "./env";

/** An app's provisioning settings (Okta: the app's Provisioning tab, and Push Groups). */
export interface ProvisioningSettings {
  /** SCIM connector base URL. */
  base_url: string;
  /** HTTP Header authorization: the bearer token. */
  token: string;
  /** Groups pushed to the app (Push Groups). */
  push_groups: string[];
}

export interface DirectoryUser {
  id: string;
  email: string;
  name: string;
  /** Mutable: the management API adds and removes memberships (devidp keeps them in memory). */
  groups: string[];
  /** Okta's user status; only ACTIVE users can sign in. */
  status?: "ACTIVE" | "SUSPENDED" | "DEPROVISIONED";
}

export interface GroupsClaimConfig {
  name: string;
  /** Okta "Matches regex": the whole group name must match. */
  regex: string;
}

export interface DirectoryClient {
  client_id: string;
  client_secret?: string;
  label: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  token_endpoint_auth_method: "client_secret_basic" | "client_secret_post" | "none" | "private_key_jwt";
  /** For private_key_jwt: the app's public keys (Okta: General > Client Credentials > Public keys). */
  jwks?: { keys: Record<string, unknown>[] };
  /** For an API Services app on the org authorization server: the Okta API scopes granted to it. */
  okta_scopes?: string[];
  /** Default: authorization_code. "client_credentials" makes a service (Okta "API Services") app. */
  grant_types?: ("authorization_code" | "client_credentials" | "refresh_token")[];
  application_type?: "web" | "native";
  groups_claim?: GroupsClaimConfig;
  /** Okta "Initiate login URI": when set, the app shows as a tile on the End-User Dashboard. */
  initiate_login_uri?: string;
  /** For a service app: groups its access tokens carry (an Okta custom claim with a fixed value). */
  static_groups?: string[];
  /**
   * Which of devidp's authorization servers the app uses: the custom one (`default`, /oauth2/default) or
   * Okta's org authorization server (issuer = the org URL, /oauth2/v1/*; groups in the ID token only).
   */
  authorization_server?: "default" | "org";
  /**
   * Okta: the app's Universal Logout (Global Token Revocation) endpoint. "Clear user sessions" with
   * apps included sends a signed logout request there.
   */
  universal_logout?: { uri: string; subject_format?: "email" | "iss_sub" };
  /** Okta provisions this app over SCIM (Provisioning tab, Push Groups). */
  provisioning?: ProvisioningSettings;
  /** Settings only the Apps API shows (the demo's misconfigured apps use them). */
  okta_app?: {
    status?: "ACTIVE" | "INACTIVE";
    extra_grant_types?: string[];
    tile_hidden?: boolean;
    idp_initiated_mode?: "SPEC" | "OKTA" | "DISABLED";
  };
}

interface DirectoryFile {
  password: string;
  /** Okta API tokens (SSWS) and what they may read. */
  api_tokens?: { token: string; permissions: string[] }[];
  users: DirectoryUser[];
  clients: DirectoryClient[];
}

/** Okta's cap: a groups claim that would carry more than this makes the token request fail. */
export const GROUPS_CLAIM_LIMIT = 100;
export const TOO_MANY_GROUPS_MESSAGE =
  "The groups claim matched too many groups and must be configured to match fewer groups";

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** Okta-style group id (00g…), stable per name. */
export function groupId(name: string): string {
  return `00g${createHash("sha256").update(name).digest("hex").slice(0, 17)}`;
}

export class Directory {
  private readonly byEmail: Map<string, DirectoryUser>;
  private readonly byId: Map<string, DirectoryUser>;
  private readonly passwordDigest: Buffer;
  readonly clients: DirectoryClient[];
  private readonly apiTokens: Map<string, string[]>;

  constructor(file: DirectoryFile, env: IdpEnv) {
    this.byEmail = new Map(file.users.map((u) => [u.email.toLowerCase(), u]));
    this.byId = new Map(file.users.map((u) => [u.id, u]));
    this.passwordDigest = digest(file.password);
    this.apiTokens = new Map((file.api_tokens ?? []).map((t) => [t.token, t.permissions]));
    const fill = (s: string) =>
      s
        .replaceAll("{{APP_URL_EU}}", env.appUrls.eu)
        .replaceAll("{{APP_URL_US}}", env.appUrls.us)
        .replaceAll("{{IDP_URL}}", env.origin);
    this.clients = file.clients.map((c) => ({
      ...c,
      ...(c.initiate_login_uri ? { initiate_login_uri: fill(c.initiate_login_uri) } : {}),
      ...(c.universal_logout ? { universal_logout: { ...c.universal_logout, uri: fill(c.universal_logout.uri) } } : {}),
      ...(c.provisioning ? { provisioning: { ...c.provisioning, base_url: fill(c.provisioning.base_url) } } : {}),
      redirect_uris: c.redirect_uris.map(fill),
      post_logout_redirect_uris: c.post_logout_redirect_uris.map(fill),
    }));
  }

  static load(env: IdpEnv): Directory {
    const path = fileURLToPath(new URL("../data/directory.json", import.meta.url));
    const file = JSON.parse(readFileSync(path, "utf8")) as DirectoryFile;
    for (let i = 1; i <= env.extraUsers; i++) {
      const n = String(i).padStart(3, "0");
      file.users.push({
        id: `00ubench${n.padStart(11, "0")}`,
        email: `bench-${n}@example.com`,
        name: `Bench User ${n}`,
        groups: ["Everyone", "PAM Linux Sysadmins"],
      });
    }
    return new Directory(file, env);
  }

  /** Constant-time password check; unknown users cost the same as known ones. */
  authenticate(username: string, password: string): DirectoryUser | null {
    const user = this.byEmail.get(username.trim().toLowerCase());
    const ok = timingSafeEqual(digest(password), this.passwordDigest);
    return user && ok && (user.status ?? "ACTIVE") === "ACTIVE" ? user : null;
  }

  user(id: string): DirectoryUser | null {
    return this.byId.get(id) ?? null;
  }

  /** By Okta id or login (email), as Okta's /api/v1/users/{id} takes either. */
  userByIdOrLogin(idOrLogin: string): DirectoryUser | null {
    return this.byId.get(idOrLogin) ?? this.byEmail.get(idOrLogin.toLowerCase()) ?? null;
  }

  get users(): DirectoryUser[] {
    return [...this.byId.values()];
  }

  /** Every group any user is in, plus the ones named in `extra`; sorted, so ids and pages are stable. */
  groupNames(): string[] {
    return [...new Set([...this.extraGroups, ...this.users.flatMap((u) => u.groups)])].sort();
  }

  /** Groups exist even when empty (a time-bound grant's group after the grant ends). */
  readonly extraGroups = new Set<string>(["PAM Linux Sysadmins"]);

  /** The permissions of an Okta API token, or null when unknown. */
  apiToken(token: string): string[] | null {
    return this.apiTokens.get(token) ?? null;
  }

  client(clientId: string): DirectoryClient | null {
    return this.clients.find((c) => c.client_id === clientId) ?? null;
  }

  /** The user's groups as the client's groups claim filter lets them through. */
  groupsFor(user: DirectoryUser, claim: GroupsClaimConfig): string[] {
    const re = new RegExp(`^(?:${claim.regex})$`);
    return user.groups.filter((g) => re.test(g));
  }
}
