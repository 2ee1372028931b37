import type { Metadata } from "next";
import { HANDLED_EVENT_TYPES, recentOktaEvents } from "@/lib/live-groups";
import { TableHead } from "@/components/table-head";
import { inAdminConsole, PLACES } from "@/lib/okta";
import { CopyButton } from "@/components/copy-button";
import { RequireAccess } from "@/components/require-access";
import { connectionUrls, getConfig, getConnection } from "@/lib/config";
import { getDb } from "@/lib/db";
import { liveGroupsModeFor } from "@/lib/live-groups/mode";
import { streamOf } from "@/lib/signals";

export const metadata: Metadata = { title: "Okta connection" };

const card = "rounded-lg border border-slate-200 bg-white p-8";

function Value({ label, value, where }: { label: string; value: string; where: string }) {
  return (
    <div className="border-b border-slate-100 py-3">
      <div className="flex items-center justify-between gap-3">
        <span className="text-sm font-medium text-slate-700">{label}</span>
        <CopyButton value={value} label={label} />
      </div>
      <code className="mt-1 block break-all font-mono text-sm" aria-label={label}>
        {value}
      </code>
      <p className="mt-1 text-xs text-slate-500">{where}</p>
    </div>
  );
}

/** The values an admin pastes into Okta for their organization's connection, for its home region. */
export default function ConnectionPage() {
  return (
    <RequireAccess path="/admin/connection">
      {async ({ principal }) => {
        const config = getConfig();
        // An organization sees its own connection only.
        const connection = getConnection(principal.connection);
        if (!connection) return <p>This organization has no connection on this deployment.</p>;
        const urls = connectionUrls(config, connection);
        const db = await getDb();
        const mode = await liveGroupsModeFor(db, connection, config);
        const events = await recentOktaEvents(db, principal.organizationId);
        const stream = await streamOf(db, principal.organizationId);
        const other = connectionUrls(config, connection, connection.region === "eu" ? "us" : "eu");
        return (
          <section className={card} aria-labelledby="connection">
            <h1 id="connection" className="text-2xl font-semibold">
              Okta connection: {connection.name}
            </h1>
            <dl className="mt-4 grid grid-cols-[10rem_1fr] gap-y-2 text-sm">
              <dt className="text-slate-500">Home region</dt>
              <dd>
                {connection.region.toUpperCase()} · {urls.home}
              </dd>
              <dt className="text-slate-500">Issuer</dt>
              <dd className="break-all font-mono">{connection.issuer}</dd>
              <dt className="text-slate-500">Client ID</dt>
              <dd className="font-mono">{connection.clientId}</dd>
              <dt className="text-slate-500">App type</dt>
              <dd>
                {connection.clientSecret
                  ? "Web (confidential client, client secret)"
                  : "Single-Page (public client, PKCE, no secret)"}
              </dd>
            </dl>
            <h2 className="mt-8 text-lg font-semibold">Values to paste into Okta</h2>
            <Value
              label="Sign-in redirect URI"
              value={urls.signInRedirectUri}
              where={inAdminConsole(PLACES.signInRedirectUris)}
            />
            <Value
              label="Sign-out redirect URI"
              value={urls.signOutRedirectUri}
              where={inAdminConsole(PLACES.signOutRedirectUris)}
            />
            <Value
              label="Initiate login URI"
              value={urls.initiateLoginUri}
              where={`${inAdminConsole(PLACES.login)} > Login initiated by: Either Okta or App; Login flow: Redirect to app to initiate login (OIDC Compliant)`}
            />
            <Value
              label="Direct login URL"
              value={urls.directLoginUrl}
              where="Share or bookmark: starts sign-in at once."
            />
            <Value
              label="Event Hook endpoint URL"
              value={urls.eventHookUri}
              where={`${inAdminConsole(PLACES.eventHooks)} > Create Event Hook > Endpoint URL; Authentication field: ${connection.eventHookHeader === "authorization" ? "Authorization" : connection.eventHookHeader}, Authentication secret: porter's event hook secret; events: ${HANDLED_EVENT_TYPES.join(", ")}. Then Verify.`}
            />
            <Value
              label="Universal Logout endpoint"
              value={urls.globalTokenRevocationUri}
              where={`${inAdminConsole(PLACES.signOn)} > Logout: Universal Logout (Okta system or admin initiates logout) > Global token revocation endpoint; Subject format: Email, or Issuer and Subject Identifier. Okta signs each request with this org's ID-token key for client ${connection.clientId}; porter checks it and ends every session of that person.`}
            />
            <h2 className="mt-8 text-lg font-semibold">Live group state</h2>
            <div className="mt-2 text-sm text-slate-700" role="status" aria-label="Live group state">
              <p>
                Worst-case staleness:{" "}
                <strong>
                  {mode.worstCaseSeconds < 120
                    ? `${String(mode.worstCaseSeconds)} s`
                    : `${String(Math.round(mode.worstCaseSeconds / 60))} min`}
                </strong>{" "}
                from a group removed in Okta to the role gone in porter, without a new sign-in.
              </p>
              <p className="mt-1">{mode.summary}.</p>
              {connection.eventHookSecret ? null : (
                <p className="mt-1 text-slate-500">
                  No Event Hook secret configured (OKTA_EVENT_HOOK_SECRET, or eventHookSecretEnv in the connections
                  file).
                </p>
              )}
              {connection.oktaServiceApp ? (
                <p className="mt-1 text-slate-500">
                  Okta API access: API Services app {connection.oktaServiceApp.clientId} (private_key_jwt, DPoP-bound
                  tokens).
                </p>
              ) : connection.oktaApiToken ? (
                <p className="mt-1 text-slate-500">
                  Okta API access: an SSWS API token (Okta recommends an API Services app with private_key_jwt instead).
                </p>
              ) : (
                <p className="mt-1 text-slate-500">
                  No Okta API credential: no System Log polling, and groups past the token&apos;s 100 are not read from
                  the Users API.
                </p>
              )}
              {mode.problem ? (
                <p className="mt-2 rounded bg-red-50 p-2 text-red-900" role="alert">
                  {mode.problem}
                </p>
              ) : null}
            </div>
            <h2 className="mt-8 text-lg font-semibold" id="shared-signals">
              Shared Signals (CAEP)
            </h2>
            {connection.sharedSignals || stream ? (
              <dl
                className="mt-2 grid grid-cols-[minmax(10rem,14rem)_1fr] gap-y-1 text-sm"
                aria-labelledby="shared-signals"
              >
                <dt className="text-slate-500">Stream</dt>
                <dd>
                  <strong>{stream?.status ?? "not registered yet"}</strong>
                  {stream?.streamId ? (
                    <span className="font-mono text-xs text-slate-500"> {stream.streamId}</span>
                  ) : null}
                  {stream?.statusReason ? <div className="text-amber-900">{stream.statusReason}</div> : null}
                </dd>
                <dt className="text-slate-500">Push endpoint</dt>
                <dd className="font-mono text-xs break-all">{`${urls.home}/api/okta/${connection.name}/security-events`}</dd>
                <dt className="text-slate-500">Last verification</dt>
                <dd>
                  {stream?.verifiedAt
                    ? stream.verifiedAt.toUTCString()
                    : stream?.verificationRequestedAt
                      ? `asked ${stream.verificationRequestedAt.toUTCString()}, not answered yet`
                      : "never"}
                </dd>
                <dt className="text-slate-500">Last event</dt>
                <dd>
                  {stream?.lastEventAt
                    ? `${stream.lastEventType?.split("/").pop() ?? ""} at ${stream.lastEventAt.toUTCString()}`
                    : "none yet"}
                </dd>
                <dt className="text-slate-500">Last refused push</dt>
                <dd>
                  {stream?.lastRefusedAt
                    ? `${stream.lastRefusedAt.toUTCString()}: ${stream.lastRefusedReason ?? ""}`
                    : "none"}
                </dd>
                <dt className="text-slate-500">What it does</dt>
                <dd>
                  session-revoked ends every porter session of the person; credential-change{" "}
                  {connection.credentialChange === "record"
                    ? "is recorded"
                    : connection.credentialChange === "end_sessions"
                      ? "ends their sessions"
                      : "ends their sessions when a credential was revoked or deleted, else is recorded"}
                  .
                </dd>
              </dl>
            ) : (
              <p className="mt-2 text-sm text-slate-600">
                Off. With sharedSignals on the connection and an Okta API credential holding ssf.manage and ssf.read,
                porter registers a stream at Okta and a session Okta ends (sign-out, Identity Threat Protection,
                &quot;Clear user sessions&quot;) ends porter&apos;s within seconds.
              </p>
            )}
            <h2 className="mt-8 text-lg font-semibold" id="okta-events">
              Recent Okta events
            </h2>
            {events.length === 0 ? (
              <p className="mt-2 text-sm text-slate-600">No Okta event has reached porter yet.</p>
            ) : (
              <table className="mt-2 w-full text-left text-sm" aria-labelledby="okta-events">
                <TableHead columns={["Received", "Event", "Person", "What porter did"]} />
                <tbody>
                  {events.map((e) => (
                    <tr key={e.uuid} className="border-b border-slate-100 align-top">
                      <td className="whitespace-nowrap py-2 pr-3 text-slate-600">
                        <time dateTime={e.receivedAt.toISOString()}>
                          {e.receivedAt.toISOString().slice(0, 19).replace("T", " ")}
                        </time>
                      </td>
                      <td className="py-2 pr-3 font-mono text-xs">
                        {e.eventType}
                        <span className="block text-slate-500">
                          {e.source === "event_hook" ? "Event Hook" : "System Log"}
                        </span>
                      </td>
                      <td className="break-all py-2 pr-3">{e.person ?? "—"}</td>
                      <td className="py-2">{e.outcome ?? "waiting to be applied"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <p className="mt-6 rounded-md bg-amber-50 p-3 text-sm text-amber-950" role="note">
              Register the {connection.region.toUpperCase()} values only. With the {other.region.toUpperCase()} callback
              ({other.signInRedirectUri}) in its place, Okta answers every sign-in with HTTP 400 (&quot;The
              &apos;redirect_uri&apos; parameter must be a Login redirect URI in the client app settings&quot;) before
              porter sees it.
            </p>
          </section>
        );
      }}
    </RequireAccess>
  );
}
