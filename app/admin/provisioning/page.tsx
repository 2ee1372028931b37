import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm } from "@/components/action-form";
import { CopyButton } from "@/components/copy-button";
import { RequireAccess } from "@/components/require-access";
import { TableHead } from "@/components/table-head";
import { connectionUrls, getConfig, getConnection } from "@/lib/config";
import { getDb } from "@/lib/db";
import { inAdminConsole, PLACES } from "@/lib/okta";
import { MAX_ACTIVE_TOKENS, provisioningOverview } from "@/lib/provisioning";
import { createTokenAction, revokeTokenAction } from "./actions";

export const metadata: Metadata = { title: "Provisioning (SCIM)" };

const card = "rounded-lg border border-slate-200 bg-white p-8";
const when = (d: Date | null) => (d ? d.toUTCString() : "never");

/**
 * Provisioning: Okta creates people in porter and pushes groups over SCIM. The base URL and the Okta
 * Admin Console steps to paste it, the tokens, what Okta has sent, and what porter refused.
 */
export default function ProvisioningPage() {
  return (
    <RequireAccess path="/admin/provisioning">
      {async ({ principal }) => {
        const config = getConfig();
        const connection = getConnection(principal.connection);
        if (!connection) return <p>This organization has no connection on this deployment.</p>;
        const db = await getDb();
        const overview = await provisioningOverview(db, principal.organizationId);
        const base = `${connectionUrls(config, connection).home}/scim/v2/${connection.name}`;
        const canWrite = principal.permissions.includes("rules.write");
        const active = overview.tokens.filter((t) => !t.revokedAt);
        const scim = connection.groupsSource === "scim";
        return (
          <div className="flex flex-col gap-6">
            <section className={card} aria-labelledby="provisioning">
              <h1 id="provisioning" className="text-2xl font-semibold">
                Provisioning (SCIM)
              </h1>
              <p className="mt-1 max-w-3xl text-slate-600">
                Okta creates the people assigned to your porter app here, deactivates them when they leave, and pushes
                groups (Push Groups).{" "}
                {scim
                  ? "This organization's groups come from those pushes: a change in Okta changes roles on the person's next page, on every node."
                  : `This organization's groups come from ${connection.groupsSource === "users-api" ? "Okta's Users API" : "the ID token's groups claim"}; pushed groups are kept and shown, and a deactivation over SCIM still ends the person's access.`}
              </p>
              <div className="mt-4 border-b border-slate-100 py-3">
                <div className="flex items-center justify-between gap-3">
                  <span className="text-sm font-medium text-slate-700">SCIM connector base URL</span>
                  <CopyButton value={base} label="SCIM connector base URL" />
                </div>
                <code className="mt-1 block break-all font-mono text-sm" aria-label="SCIM connector base URL">
                  {base}
                </code>
              </div>
              <dl className="mt-4 grid grid-cols-[minmax(10rem,16rem)_1fr] gap-y-2 text-sm">
                <dt className="text-slate-500">Groups source</dt>
                <dd>
                  <code>{connection.groupsSource}</code>
                  <span className="text-slate-500">
                    {" "}
                    (connections file: groupsSource; OKTA_GROUPS_SOURCE for the default connection)
                  </span>
                </dd>
                <dt className="text-slate-500">Provisioning required</dt>
                <dd>
                  {connection.requireProvisioning
                    ? "yes: only people Okta provisioned, and has not deactivated, may sign in"
                    : "no: anyone Okta lets sign in may (a person Okta deactivated over SCIM may not)"}
                </dd>
                <dt className="text-slate-500">Provisioned people</dt>
                <dd>
                  {overview.people.provisioned} ({overview.people.neverSignedIn} never signed in,{" "}
                  {overview.people.deactivated} deactivated) —{" "}
                  <Link className="text-brand underline" href="/admin/users?status=provisioned">
                    see who has not signed in
                  </Link>
                </dd>
                <dt className="text-slate-500">Pushed groups</dt>
                <dd>{overview.pushedGroups}</dd>
                <dt className="text-slate-500">Last request from Okta</dt>
                <dd>{when(overview.lastRequestAt)}</dd>
              </dl>
              {scim && overview.rulesMatchingNoGroup.length > 0 ? (
                <p
                  role="alert"
                  className="mt-4 rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900"
                >
                  These rules name a group Okta does not push (renamed in Okta, or not pushed yet), so they grant
                  nothing: {overview.rulesMatchingNoGroup.join("; ")}. Edit them on the{" "}
                  <Link className="underline" href="/admin/rules">
                    rules page
                  </Link>{" "}
                  or push the group in {inAdminConsole(PLACES.pushGroups)}.
                </p>
              ) : null}
            </section>

            <section className={card} aria-labelledby="okta-steps">
              <h2 id="okta-steps" className="text-lg font-semibold">
                Set it up in Okta
              </h2>
              <ol className="mt-3 flex list-decimal flex-col gap-2 pl-5 text-sm">
                <li>
                  {inAdminConsole(PLACES.general)} &gt; App Settings &gt; Edit: <strong>Provisioning: SCIM</strong>,
                  Save.
                </li>
                <li>
                  {inAdminConsole(PLACES.provisioningIntegration)} &gt; Edit: <strong>SCIM connector base URL</strong>{" "}
                  <code className="break-all">{base}</code>; <strong>Unique identifier field for users</strong>{" "}
                  <code>userName</code>; <strong>Supported provisioning actions</strong>: Push New Users, Push Profile
                  Updates, Push Groups; <strong>Authentication Mode</strong>: HTTP Header, with a token made below. Test
                  Connector Configuration, then Save.
                </li>
                <li>
                  {inAdminConsole(PLACES.provisioningToApp)} &gt; Edit: enable <strong>Create Users</strong>,{" "}
                  <strong>Update User Attributes</strong> and <strong>Deactivate Users</strong>, Save.
                </li>
                <li>
                  {inAdminConsole(PLACES.pushGroups)}: push the groups your rules name (for example Port Admins), then
                  assign people or groups in {PLACES.assignments}.
                </li>
              </ol>
            </section>

            <section className={card} aria-labelledby="tokens">
              <h2 id="tokens" className="text-lg font-semibold">
                Tokens
              </h2>
              <p className="mt-1 text-sm text-slate-600">
                At most {MAX_ACTIVE_TOKENS} tokens made here are valid at once, so you can rotate without losing a push:
                create the new one, paste it in Okta, then revoke the old one.
              </p>
              <table className="mt-4 w-full text-left text-sm" aria-label="SCIM tokens">
                <TableHead columns={["Name", "Created", "Last used", "Status", ""]} />
                <tbody>
                  {overview.tokens.map((t) => (
                    <tr key={t.id} className="border-b border-slate-100 align-top">
                      <td className="py-2">
                        {t.name}
                        {t.source === "configuration" ? (
                          <div className="text-xs text-slate-500">named by the deployment&apos;s environment</div>
                        ) : null}
                      </td>
                      <td className="py-2 whitespace-nowrap text-slate-600">
                        {t.createdAt.toUTCString()}
                        {t.createdBy ? <div className="text-xs">by {t.createdBy}</div> : null}
                      </td>
                      <td className="py-2 whitespace-nowrap text-slate-600">{when(t.lastUsedAt)}</td>
                      <td className="py-2">{t.revokedAt ? `revoked ${t.revokedAt.toUTCString()}` : "valid"}</td>
                      <td className="py-2">
                        {canWrite && !t.revokedAt && t.source === "console" ? (
                          <ActionForm
                            action={revokeTokenAction}
                            submitLabel="Revoke"
                            label={`Revoke ${t.name}`}
                            tone="danger"
                          >
                            <input type="hidden" name="id" value={t.id} />
                          </ActionForm>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {overview.tokens.length === 0 ? <p className="mt-2 text-slate-600">No token yet.</p> : null}
              {canWrite ? (
                <ActionForm
                  action={createTokenAction}
                  submitLabel="Create token"
                  label="Create a SCIM token"
                  className="mt-6 flex flex-col gap-2"
                >
                  <label className="flex flex-col gap-1 text-sm">
                    Name (where it is used)
                    <input
                      name="name"
                      required
                      maxLength={100}
                      placeholder="okta-2026-12"
                      className="max-w-sm rounded-md border border-slate-300 p-2 text-sm"
                    />
                  </label>
                  {active.filter((t) => t.source === "console").length >= MAX_ACTIVE_TOKENS ? (
                    <p className="text-sm text-amber-800">Revoke a token before creating another.</p>
                  ) : null}
                </ActionForm>
              ) : (
                <p className="mt-4 text-sm text-slate-600">Only an admin (rules.write) may create or revoke tokens.</p>
              )}
            </section>

            <section className={card} aria-labelledby="refused">
              <h2 id="refused" className="text-lg font-semibold">
                Refused requests
              </h2>
              {overview.refused.length === 0 ? (
                <p className="mt-2 text-slate-600">None.</p>
              ) : (
                <table className="mt-4 w-full table-fixed text-left text-sm" aria-label="Refused SCIM requests">
                  <colgroup>
                    <col className="w-56" />
                    <col className="w-36" />
                    <col />
                  </colgroup>
                  <TableHead columns={["When", "From", "Request and answer"]} />
                  <tbody>
                    {overview.refused.map((r, i) => (
                      <tr key={`${r.at.toISOString()}-${String(i)}`} className="border-b border-slate-100 align-top">
                        <td className="py-2 text-slate-600">{r.at.toUTCString()}</td>
                        <td className="py-2 font-mono text-xs">{r.ip ?? "—"}</td>
                        <td className="py-2 break-words">
                          {r.detail}
                          {r.count > 1 ? <span className="text-slate-500"> (×{r.count})</span> : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <p className="mt-3 text-sm">
                <Link className="text-brand underline" href="/admin/audit?type=scim.request_refused">
                  All refused requests in the audit log
                </Link>
              </p>
            </section>
          </div>
        );
      }}
    </RequireAccess>
  );
}
