import type { Config, Connection } from "../config";
import type { Db } from "../db/client";
import type { OktaLogCursor } from "../db/schema";
import { organizationIdFor } from "../organizations/organizations";
import { oktaApiCredential } from "../okta";
import { getLogCursor } from "./system-log-poll";

export interface LiveGroupsMode {
  /** How roles follow Okta for this organization, fastest source first. */
  sources: ("scim" | "event_hook" | "system_log" | "groups_max_age")[];
  /** The longest a removed group's role can outlive its removal at Okta, in seconds, when Okta is reachable. */
  worstCaseSeconds: number;
  summary: string;
  /** What is not working, in Okta's words, or null. */
  problem: string | null;
}

/** Whether System Log polling keeps an organization's groups current: a successful poll within two intervals (and 30 s). */
export function pollingIsCurrent(
  cursor: OktaLogCursor | null,
  config: Pick<Config, "logPollSeconds">,
  now = Date.now(),
): boolean {
  return (
    config.logPollSeconds > 0 &&
    !!cursor?.lastSuccessAt &&
    now - cursor.lastSuccessAt.getTime() < (2 * config.logPollSeconds + 30) * 1000
  );
}

/**
 * The organization's live-group mode, for /admin/connection and /api/health: an Event Hook (pushed,
 * seconds, but Okta promises no maximum delay), System Log polling (at most the poll interval plus a
 * few seconds), and always GROUPS_MAX_AGE as the bound when neither is working.
 */
export function liveGroupsMode(
  connection: Pick<
    Connection,
    "issuer" | "eventHookSecret" | "oktaApiToken" | "oktaServiceApp" | "scopes" | "groupsSource"
  >,
  config: Pick<Config, "logPollSeconds" | "groupsMaxAgeSeconds" | "groupsGraceSeconds">,
  cursor: OktaLogCursor | null,
): LiveGroupsMode {
  if (connection.groupsSource === "scim")
    return {
      sources: ["scim"],
      worstCaseSeconds: 0,
      summary:
        "Okta pushes group memberships over SCIM (Push Groups) and porter applies each push when it arrives; a deactivation over SCIM ends sessions at once. Okta promises no maximum delay for a push, and there is nothing to re-read groups from (GROUPS_MAX_AGE does not apply)",
      problem: null,
    };
  const hook = !!connection.eventHookSecret;
  // A credential that may not read the System Log (403) means no polling: said plainly, not as an outage.
  const mayNotRead = cursor?.lastErrorCode === "okta_api_forbidden";
  const polling = oktaApiCredential(connection) !== null && config.logPollSeconds > 0 && !mayNotRead;
  const pollingWorks = polling && pollingIsCurrent(cursor, config) && !cursor?.lastError;
  const refresh = /(^|\s)offline_access(\s|$)/.test(connection.scopes);
  const sources: LiveGroupsMode["sources"] = [
    ...(hook ? (["event_hook"] as const) : []),
    ...(polling ? (["system_log"] as const) : []),
    "groups_max_age",
  ];
  const worstCaseSeconds = pollingWorks ? config.logPollSeconds + 5 : config.groupsMaxAgeSeconds;
  const maxAge = `after ${String(config.groupsMaxAgeSeconds)} s a session's groups are re-read from Okta ${refresh ? "with its refresh token (silently)" : "by a new sign-in (no offline_access scope, so no refresh token)"}; if Okta cannot be reached they are served ${String(config.groupsGraceSeconds)} s more, then refused`;
  const parts = [
    hook ? "Event Hook: Okta pushes changes within seconds (Okta promises no maximum delay)" : null,
    polling
      ? `System Log polling every ${String(config.logPollSeconds)} s${pollingWorks ? "" : cursor?.lastSuccessAt ? " (failing now)" : " (no successful poll yet)"}`
      : null,
    pollingWorks ? null : maxAge,
  ].filter((p): p is string => p !== null);
  const problem = polling && cursor?.lastError ? `System Log polling fails: ${cursor.lastError}` : null;
  if (mayNotRead)
    parts.push(
      "no System Log polling: the Okta API credential may not read the System Log (grant okta.logs.read, or create the token as a Read-only Administrator)",
    );
  return { sources, worstCaseSeconds, summary: parts.join("; "), problem };
}

/** The mode of one connection, read from its organization's polling checkpoint (for the page and /api/health). */
export async function liveGroupsModeFor(
  db: Db,
  connection: Connection,
  config: Pick<Config, "logPollSeconds" | "groupsMaxAgeSeconds" | "groupsGraceSeconds">,
): Promise<LiveGroupsMode> {
  return liveGroupsMode(connection, config, await getLogCursor(db, await organizationIdFor(db, connection.name)));
}
