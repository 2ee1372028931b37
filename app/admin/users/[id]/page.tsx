import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ProvenanceSankey } from "@/components/provenance-sankey";
import { RequireAccess } from "@/components/require-access";
import { organizationNamed, ruleSetFor } from "@/lib/organizations";
import { getUserDetail, PERSON_STATUS_LABELS } from "@/lib/people";
import { getDb } from "@/lib/db";
import { UUID } from "@/lib/catalog";
import { ActionForm } from "@/components/action-form";
import { endSessionsAction } from "./actions";

export const metadata: Metadata = { title: "Person" };

const card = "rounded-lg border border-slate-200 bg-white p-8";
const CAUSE: Record<string, string> = {
  sign_in: "at sign-in (Okta groups)",
  rules_changed: "rules changed",
  okta_event: "Okta event",
  groups_refreshed: "groups re-read from Okta",
  scim: "Okta pushed a change (SCIM)",
};
const SOURCE: Record<string, string> = {
  id_token: "the ID token's groups claim",
  users_api: "Okta's Users API (every group, no 100-group cap)",
  scim: "the groups Okta pushes over SCIM",
};

/** One person: Okta groups, roles with provenance (a picture and a list), live sessions and the history of their roles. */
export default async function UserPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <RequireAccess path={`/admin/users/${encodeURIComponent(id)}`}>
      {async ({ principal }) => {
        const db = await getDb();
        // Scoped to the admin's organization: another organization's person is "not found".
        const detail = UUID.test(id) ? await getUserDetail(db, principal.organizationId, id) : null;
        if (!detail) notFound();
        const ruleSet = await ruleSetFor(db, await organizationNamed(db, principal.connection));
        const { user } = detail;
        return (
          <div className="flex flex-col gap-6">
            <section className={card} aria-labelledby="person">
              <Link href="/admin/users" className="text-sm text-brand hover:underline">
                ← Users
              </Link>
              <h1 id="person" className="mt-2 text-2xl font-semibold">
                {user.email ?? user.sub}
              </h1>
              <dl className="mt-4 grid grid-cols-[12rem_1fr] gap-y-2 text-sm">
                <dt className="text-slate-500">Name</dt>
                <dd>{user.name ?? "—"}</dd>
                <dt className="text-slate-500">Okta user ID (sub)</dt>
                <dd className="font-mono">{user.sub}</dd>
                <dt className="text-slate-500">Status</dt>
                <dd>
                  {PERSON_STATUS_LABELS[detail.status]}
                  {user.provisionedAt
                    ? ` (provisioned by Okta over SCIM${user.userName ? ` as ${user.userName}` : ""} on ${user.provisionedAt.toUTCString()}${user.deprovisionedAt ? `; deactivated ${user.deprovisionedAt.toUTCString()}` : ""})`
                    : ""}
                </dd>
                {user.provisionedAt ? (
                  <>
                    <dt className="text-slate-500">Pushed groups</dt>
                    <dd>{detail.pushedGroups.length > 0 ? detail.pushedGroups.join(", ") : "none"}</dd>
                  </>
                ) : null}
                <dt className="text-slate-500">Last sign-in</dt>
                <dd>{user.lastSignInAt?.toUTCString() ?? "never"}</dd>
                <dt className="text-slate-500">Groups source</dt>
                <dd>
                  {SOURCE[detail.sessions[0]?.groupsSource ?? (user.provisionedAt ? "scim" : "id_token")]}
                  {detail.signIns[0]
                    ? ` (${String(detail.signIns[0].rawGroupCount)} sent, ${String(detail.signIns[0].keptGroups)} kept at the last sign-in)`
                    : ""}
                </dd>
                <dt className="text-slate-500">Live sessions</dt>
                <dd>
                  {detail.sessions.length === 0 ? (
                    "none"
                  ) : (
                    <ul aria-label="Live sessions">
                      {detail.sessions.map((s) => (
                        <li key={s.createdAt.toISOString()}>
                          since {s.createdAt.toUTCString()}, last seen {s.lastSeenAt.toUTCString()}; groups from{" "}
                          {SOURCE[s.groupsSource]}, last confirmed by Okta {s.groupsConfirmedAt.toUTCString()}
                        </li>
                      ))}
                    </ul>
                  )}
                </dd>
              </dl>
              {principal.permissions.includes("users.write") && detail.sessions.length > 0 ? (
                <ActionForm
                  action={endSessionsAction}
                  submitLabel="End all sessions"
                  label="End all sessions"
                  tone="danger"
                  className="mt-4 flex flex-col items-start gap-2"
                >
                  <input type="hidden" name="userId" value={user.id} />
                </ActionForm>
              ) : null}
              <p className="mt-4 text-sm">
                <Link href={`/admin/audit?actor=${encodeURIComponent(user.sub)}`} className="text-brand underline">
                  This person&apos;s events in the audit log
                </Link>
              </p>
            </section>

            <section className={card} aria-labelledby="provenance">
              <h2 id="provenance" className="text-lg font-semibold">
                From Okta groups to permissions
              </h2>
              <ProvenanceSankey roles={detail.roles} permissionsOf={(role) => ruleSet.permissionsOf([role])} />
              <ul className="mt-4 flex flex-col gap-2 text-sm" aria-label="Roles">
                {detail.roles.map((r) => (
                  <li key={r.role}>
                    <strong>{r.role}</strong>:{" "}
                    {r.via
                      .map((v) =>
                        v.group === null ? "default role (no rule matched)" : `group "${v.group}" via ${v.rule}`,
                      )
                      .join("; ")}
                  </li>
                ))}
                {detail.roles.length === 0 ? (
                  <li className="text-amber-800">No role: this person sees the no-access page.</li>
                ) : null}
              </ul>
              <h3 className="mt-4 text-sm font-semibold">Okta groups ({detail.teams.length})</h3>
              <ul className="mt-1 flex flex-wrap gap-2" aria-label="Groups">
                {detail.teams.map((t) => (
                  <li key={t} className="rounded-full bg-slate-100 px-3 py-1 text-sm text-slate-800">
                    {t}
                  </li>
                ))}
              </ul>
            </section>

            <section className={card} aria-labelledby="history">
              <h2 id="history" className="text-lg font-semibold">
                Role history
              </h2>
              {detail.history.length === 0 ? <p className="mt-2 text-slate-600">No change recorded yet.</p> : null}
              <ol className="mt-3 flex flex-col gap-2 text-sm" aria-label="Role history">
                {detail.history.map((h) => (
                  <li key={h.eventId}>
                    <span className="text-slate-500">{h.at.toUTCString()}</span>{" "}
                    {[
                      h.gained.length > 0 ? `gained ${h.gained.join(", ")}` : "",
                      h.lost.length > 0 ? `lost ${h.lost.join(", ")}` : "",
                    ]
                      .filter(Boolean)
                      .join("; ")}{" "}
                    <span className="text-slate-600">
                      — {CAUSE[h.cause] ?? h.cause}
                      {h.change ? `: ${h.change}` : ""}
                      {h.cause === "rules_changed" && h.actor ? ` by ${h.actor}` : ""}
                    </span>{" "}
                    <Link
                      href={`/admin/audit?q=${encodeURIComponent(user.id)}&type=roles.changed`}
                      className="text-xs text-brand underline"
                    >
                      event {h.eventId}
                    </Link>
                  </li>
                ))}
              </ol>
            </section>
          </div>
        );
      }}
    </RequireAccess>
  );
}
