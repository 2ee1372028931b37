import { appSettingsCheck } from "./app-settings";
import {
  clientCredentialsCheck,
  clockCheck,
  discoveryCheck,
  fetchDiscovery,
  groupsClaimCheck,
  redirectUriCheck,
  signingKeysCheck,
} from "./oidc";
import { networkCheck } from "./network";
import { provisioningCheck } from "./provisioning";
import type { Check, CheckContext, CheckId, CheckResult, Discovery } from "./types";

export const CHECKS: readonly { id: CheckId; title: string; run: Check }[] = [
  { id: "network", title: "Network path to Okta", run: networkCheck },
  { id: "clock", title: "Clock", run: clockCheck },
  { id: "discovery", title: "Discovery document", run: discoveryCheck },
  { id: "signing_keys", title: "Signing keys", run: signingKeysCheck },
  { id: "client_credentials", title: "Client ID and secret", run: clientCredentialsCheck },
  { id: "redirect_uri", title: "Sign-in redirect URI for this region", run: redirectUriCheck },
  { id: "app_settings", title: "Okta app settings", run: appSettingsCheck },
  { id: "groups_claim", title: "Groups claim in practice", run: groupsClaimCheck },
  { id: "provisioning", title: "Provisioning (SCIM)", run: provisioningCheck },
];

/** Each check has its own time limit; the whole run stays under 5 s even when Okta is unreachable. */
export const CHECK_TIMEOUT_MS = 4_000;

/**
 * Runs every check in parallel, each bounded by a timeout, and returns one promise per check (so a page
 * can show each as it finishes) plus one for all of them.
 */
export function startChecks(ctx: Omit<CheckContext, "discovery" | "timeoutMs">): {
  each: Promise<CheckResult>[];
  all: Promise<CheckResult[]>;
} {
  const timeoutMs = CHECK_TIMEOUT_MS - 500;
  let discovery: Promise<Discovery> | null = null;
  const full: CheckContext = {
    ...ctx,
    timeoutMs,
    discovery: () => (discovery ??= fetchDiscovery(ctx.connection.issuer, timeoutMs)),
  };
  const each = CHECKS.map(async ({ id, title, run }) => {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Omit<CheckResult, "id" | "title" | "durationMs">>((resolve) => {
      timer = setTimeout(() => {
        resolve({
          status: "fail",
          message: `No answer within ${String(CHECK_TIMEOUT_MS / 1000)} s.`,
          evidence: [],
          fix: `Check that this server can reach ${new URL(ctx.connection.issuer).host} on port 443.`,
        });
      }, CHECK_TIMEOUT_MS);
    });
    try {
      const result = await Promise.race([run(full), timeout]);
      return { id, title, ...result, durationMs: Math.round(performance.now() - started) };
    } catch (err) {
      return {
        id,
        title,
        status: "fail" as const,
        message: `The check itself failed: ${(err as Error).message}`,
        evidence: [],
        fix: null,
        durationMs: Math.round(performance.now() - started),
      };
    } finally {
      clearTimeout(timer);
    }
  });
  return { each, all: Promise.all(each) };
}
