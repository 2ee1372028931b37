import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getSessionView } from "@/lib/auth";
import { OKTA_GROUPS_CLAIM_CAP } from "@/lib/rbac";

export const metadata: Metadata = { title: "Your profile" };

export default async function ProfilePage() {
  const view = await getSessionView();
  if (!view) redirect("/?callbackUrl=/profile");

  return (
    <div className="flex flex-col gap-6">
      <section className="rounded-lg border border-slate-200 bg-white p-8">
        <div className="flex items-start justify-between gap-4">
          <div>
            <h1 className="text-2xl font-semibold">{view.user.name ?? view.user.email ?? view.user.sub}</h1>
            <p className="mt-1 text-slate-600">{view.user.email}</p>
          </div>
          <form method="post" action="/logout">
            <button
              type="submit"
              className="rounded-md border border-slate-300 px-4 py-2 font-medium text-slate-700 hover:bg-slate-100"
            >
              Sign out
            </button>
          </form>
        </div>
        <dl className="mt-6 grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-[12rem_1fr]">
          <dt className="text-slate-500">Okta user ID (sub)</dt>
          <dd className="font-mono">{view.user.sub}</dd>
          <dt className="text-slate-500">Organization</dt>
          <dd>{view.connection}</dd>
          <dt className="text-slate-500">Region</dt>
          <dd>{view.region.toUpperCase()}</dd>
          <dt className="text-slate-500">Session expires</dt>
          <dd>{new Date(view.expiresAt).toUTCString()}</dd>
        </dl>
      </section>

      <section className="rounded-lg border border-slate-200 bg-white p-8" aria-labelledby="roles-heading">
        <h2 id="roles-heading" className="text-lg font-semibold">
          Your roles and why you have them
        </h2>
        {view.roles.length === 0 ? (
          <p className="mt-2 text-slate-600">
            None: no mapping rule matches your groups.{" "}
            <Link href="/" className="text-brand underline">
              See which groups would give you access.
            </Link>
          </p>
        ) : (
          <ul className="mt-3 flex flex-col gap-3" aria-label="Roles">
            {view.roles.map((r) => (
              <li key={r.role}>
                <span className="rounded-full bg-blue-100 px-3 py-1 text-sm font-medium text-blue-900">{r.role}</span>
                <ul className="mt-1 ml-4 list-disc text-sm text-slate-600">
                  {r.via.map((v) => (
                    <li key={`${v.ruleId}:${v.group ?? ""}`}>
                      {v.group === null ? (
                        "default role: no rule matched your groups"
                      ) : (
                        <>
                          from group <strong className="text-slate-800">{v.group}</strong>: {v.rule}
                        </>
                      )}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        )}
        <p className="mt-4 text-sm text-slate-500">
          Permissions:{" "}
          {view.permissions.length > 0 ? <span className="font-mono">{view.permissions.join(", ")}</span> : "none"}
        </p>
      </section>

      <section className="rounded-lg border border-slate-200 bg-white p-8" aria-labelledby="groups-heading">
        <h2 id="groups-heading" className="text-lg font-semibold">
          Your Okta groups <span className="text-sm font-normal text-slate-500">({view.groups.length})</span>
        </h2>
        <p className="mt-1 text-sm text-slate-500" aria-label="Groups source">
          {view.groupsSource === "users_api"
            ? `From Okta's Users API (every group, no 100-group cap: ${String(view.rawGroupCount)} read)`
            : view.groupsSource === "scim"
              ? "Pushed by Okta over SCIM (each change applies on your next page)"
              : "From the ID token's groups claim at sign-in"}
          ; last confirmed by Okta{" "}
          {new Date(view.groupsConfirmedAt).toLocaleString("en-GB", {
            timeZone: "UTC",
            dateStyle: "medium",
            timeStyle: "short",
          })}{" "}
          UTC.
        </p>
        {view.groupsSource === "id_token" && view.rawGroupCount === OKTA_GROUPS_CLAIM_CAP ? (
          <p role="status" className="mt-2 rounded bg-amber-50 p-3 text-sm text-amber-900">
            Okta sent exactly {OKTA_GROUPS_CLAIM_CAP} groups, its limit for the groups claim. The list may be
            incomplete; ask an admin to narrow the groups claim filter in Okta.
          </p>
        ) : null}
        {view.groups.length === 0 ? (
          <p className="mt-2 text-slate-600">
            Okta sent no groups for you (or none passed porter&apos;s groups filter).
          </p>
        ) : (
          <ul className="mt-3 flex flex-wrap gap-2" aria-label="Groups">
            {view.groups.map((g) => (
              <li key={g} className="rounded-full bg-slate-100 px-3 py-1 text-sm text-slate-800">
                {g}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
