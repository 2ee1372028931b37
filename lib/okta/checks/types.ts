import type { Connection, ConnectionUrls } from "../../config";
import type { OktaClient } from "../client";

export const CHECK_IDS = [
  "network",
  "clock",
  "discovery",
  "signing_keys",
  "client_credentials",
  "redirect_uri",
  "app_settings",
  "groups_claim",
  "provisioning",
] as const;
export type CheckId = (typeof CHECK_IDS)[number];
export type CheckStatus = "pass" | "warn" | "fail" | "skipped";

export interface CheckResult {
  id: CheckId;
  title: string;
  status: CheckStatus;
  /** One line, in plain words. */
  message: string;
  /** What was sent and what came back (secrets masked). */
  evidence: string[];
  /** What to change, as Okta Admin Console steps in one line (null when nothing to fix). */
  fix: string | null;
  /** The exact value to paste, when there is one. */
  value?: string;
  durationMs: number;
}

/** The admin's own last sign-in, for the groups-claim check. */
export interface SignInSample {
  rawGroupCount: number;
  keptGroups: readonly string[];
  groupsWithoutRule: readonly string[];
  /** For a platform operator looking at another organization: counts only, no group names. */
  namesHidden?: boolean;
}

export interface CheckContext {
  connection: Connection;
  /** This connection's values in its home region, and in the other region (for wrong-region hints). */
  urls: ConnectionUrls;
  otherUrls: ConnectionUrls;
  timeoutMs: number;
  signIn: SignInSample | null;
  /** The connection's Okta API client (an API Services app or an API token), for the Apps API; null without one. */
  okta: OktaClient | null;
  /** What porter has seen of Okta's SCIM provisioning for this organization (null: not read). */
  provisioning?: ProvisioningSnapshot | null;
  /** Shared by the checks of one run: the discovery document, fetched once. */
  discovery: () => Promise<Discovery>;
}

export interface ProvisioningSnapshot {
  validTokens: number;
  lastRequestAt: Date | null;
  provisioned: number;
  pushedGroups: number;
}

export interface Discovery {
  ok: boolean;
  url: string;
  status: number | null;
  date: string | null;
  contentType: string | null;
  body: Record<string, unknown> | null;
  error: string | null;
}

export type Check = (ctx: CheckContext) => Promise<Omit<CheckResult, "id" | "title" | "durationMs">>;

export { APP } from "../admin-console";
