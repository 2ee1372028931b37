import type { Metadata } from "next";
import Link from "next/link";
import { RequireAccess } from "@/components/require-access";
import { TableHead } from "@/components/table-head";
import {
  listRecentSignInChanges,
  listRoleNamesInUse,
  listUsersPage,
  parseUsersQuery,
  PERSON_STATUS_LABELS,
} from "@/lib/people";
import { getDb } from "@/lib/db";
import { keptParams, oneParam, type PageParams } from "@/lib/http/page-params";

export const metadata: Metadata = { title: "Users and roles" };

const card = "rounded-lg border border-slate-200 bg-white p-8";
const input = "rounded-md border border-slate-300 p-2 text-sm";

export default async function UsersPage({ searchParams }: { searchParams: Promise<PageParams> }) {
  const params = await searchParams;
  return (
    <RequireAccess path="/admin/users">
      {async ({ principal }) => {
        const db = await getDb();
        const parsed = parseUsersQuery(params);
        const query = parsed.ok ? parsed.query : { limit: 50 };
        const [page, roleNames, changes] = await Promise.all([
          parsed.ok ? listUsersPage(db, principal.organizationId, query) : Promise.resolve({ users: [], next: null }),
          listRoleNamesInUse(db, principal.organizationId),
          listRecentSignInChanges(db, principal.organizationId),
        ]);
        const value = (k: string) => oneParam(params[k], 255) ?? "";
        const keep = keptParams(params, ["q", "status", "role", "group"], 255);
        const next = page.next
          ? `/admin/users?${new URLSearchParams([...keep, ["after", page.next]]).toString()}`
          : null;
        return (
          <div className="flex flex-col gap-6">
            <section className={card} aria-labelledby="users">
              <div className="flex flex-wrap items-start justify-between gap-4">
                <div>
                  <h1 id="users" className="text-2xl font-semibold">
                    Who holds which role, and why
                  </h1>
                  <p className="mt-1 text-slate-600">
                    Roles as resolved at each person&apos;s sign-in, again whenever Okta reports a change of their
                    groups, and whenever the rules change.
                  </p>
                </div>
                {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- a file download from a route handler, not a page */}
                <a
                  href="/admin/users/export"
                  className="rounded-md border border-slate-300 px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100"
                >
                  Access review (CSV)
                </a>
              </div>
              <form method="get" className="mt-6 flex flex-wrap items-end gap-3" aria-label="Find people">
                <label className="flex grow flex-col gap-1 text-sm">
                  Email or name
                  <input
                    name="q"
                    defaultValue={value("q")}
                    maxLength={200}
                    className={input}
                    placeholder="dev@ or Dana"
                  />
                </label>
                <label className="flex flex-col gap-1 text-sm">
                  Status
                  <select name="status" defaultValue={value("status")} className={input}>
                    <option value="">anyone</option>
                    {Object.entries(PERSON_STATUS_LABELS).map(([k, label]) => (
                      <option key={k} value={k}>
                        {label}
                      </option>
                    ))}
                  </select>
                </label>
                <label className="flex flex-col gap-1 text-sm">
                  Role
                  <select name="role" defaultValue={value("role")} className={input}>
                    <option value="">any role</option>
                    {roleNames.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </label>
                <label className="flex flex-col gap-1 text-sm">
                  Okta group
                  <input
                    name="group"
                    defaultValue={value("group")}
                    maxLength={255}
                    className={`${input} font-mono`}
                    placeholder="team-payments"
                  />
                </label>
                <button type="submit" className="rounded-md bg-brand px-4 py-2 font-medium text-white">
                  Find
                </button>
              </form>
              {!parsed.ok ? (
                <p role="alert" className="mt-3 rounded-md border border-red-200 bg-red-50 p-2 text-sm text-red-900">
                  {parsed.message}
                </p>
              ) : null}
              <div className="mt-6 overflow-x-auto">
                <table className="w-full text-left text-sm" aria-label="People">
                  <TableHead columns={["Person", "Status", "Roles (from)", "Teams", "Last sign-in (UTC)"]} />
                  <tbody>
                    {page.users.map((p) => (
                      <tr key={p.id} className="border-b border-slate-100 align-top">
                        <td className="py-2">
                          <Link href={`/admin/users/${p.id}`} className="text-brand underline">
                            {p.email ?? p.sub}
                          </Link>
                          {p.name ? <div className="text-xs text-slate-500">{p.name}</div> : null}
                        </td>
                        <td className={`py-2 ${p.status === "deactivated" ? "text-red-800" : "text-slate-700"}`}>
                          {PERSON_STATUS_LABELS[p.status]}
                          {p.provisioned && p.status === "active" ? (
                            <div className="text-xs text-slate-500">provisioned by Okta</div>
                          ) : null}
                        </td>
                        <td className="py-2">
                          {p.roles.length === 0 ? (
                            <span className="text-amber-800">no access</span>
                          ) : (
                            <ul>
                              {p.roles.map((r) => (
                                <li key={r.role}>
                                  <strong>{r.role}</strong>{" "}
                                  <span className="text-slate-500">
                                    ←{" "}
                                    {r.via
                                      .map((v) =>
                                        v.group === null
                                          ? "default role"
                                          : v.ruleId === "break-glass"
                                            ? `${v.group} (break-glass)`
                                            : v.group,
                                      )
                                      .join(", ")}
                                  </span>
                                </li>
                              ))}
                            </ul>
                          )}
                        </td>
                        <td className="py-2">{p.teamCount}</td>
                        <td className="py-2 whitespace-nowrap text-slate-500">
                          {p.lastSignInAt ? p.lastSignInAt.toISOString().replace("T", " ").slice(0, 16) : "never"}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {page.users.length === 0 && parsed.ok ? <p className="mt-3 text-slate-600">Nobody matches.</p> : null}
              {next ? (
                <Link href={next} className="mt-4 inline-block text-brand underline">
                  Next people →
                </Link>
              ) : null}
            </section>
            <section className={card} aria-labelledby="changes">
              <h2 id="changes" className="text-lg font-semibold">
                Recent changes at sign-in
              </h2>
              {changes.length === 0 ? <p className="mt-2 text-slate-600">None yet.</p> : null}
              <ul className="mt-3 flex flex-col gap-2 text-sm">
                {changes.map((c, i) => (
                  <li key={`${c.at.toISOString()}:${String(i)}`}>
                    <span className="text-slate-500">{c.at.toUTCString()}</span> <strong>{c.email ?? c.sub}</strong>{" "}
                    {[
                      c.gained.length > 0 ? `gained ${c.gained.join(", ")}` : "",
                      c.lost.length > 0 ? `lost ${c.lost.join(", ")}` : "",
                      c.joined.length > 0 ? `joined ${c.joined.join(", ")}` : "",
                      c.left.length > 0 ? `left ${c.left.join(", ")}` : "",
                    ]
                      .filter(Boolean)
                      .join("; ")}
                  </li>
                ))}
              </ul>
            </section>
          </div>
        );
      }}
    </RequireAccess>
  );
}
