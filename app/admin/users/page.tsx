import type { Metadata } from "next";
import { RequireAccess } from "@/components/require-access";
import { TableHead } from "@/components/table-head";
import { listRecentSignInChanges, listUsersWithRoles } from "@/lib/access";
import { getDb } from "@/lib/db";

export const metadata: Metadata = { title: "Users and roles" };

const card = "rounded-lg border border-slate-200 bg-white p-8";

export default function UsersPage() {
  return (
    <RequireAccess permission="users.read" path="/admin/users">
      {async ({ principal }) => {
        const db = await getDb();
        const [people, changes] = await Promise.all([listUsersWithRoles(db, principal.organizationId), listRecentSignInChanges(db, principal.organizationId)]);
        return (
          <div className="flex flex-col gap-6">
            <section className={card} aria-labelledby="users">
              <h1 id="users" className="text-2xl font-semibold">
                Who holds which role, and why
              </h1>
              <p className="mt-1 text-slate-600">Roles as resolved at each person&apos;s last sign-in, and again whenever the rules changed.</p>
              <table className="mt-6 w-full text-left text-sm">
                <TableHead columns={["Person", "Roles (from)", "Teams", "Last sign-in"]} />
                <tbody>
                  {people.map((p) => (
                    <tr key={p.id} className="border-b border-slate-100 align-top">
                      <td className="py-2">
                        {p.email ?? p.sub}
                        {p.name ? <div className="text-xs text-slate-500">{p.name}</div> : null}
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
                                  ← {r.via.map((v) => (v.group === null ? "default role" : v.ruleId === "break-glass" ? `${v.group} (break-glass)` : v.group)).join(", ")}
                                </span>
                              </li>
                            ))}
                          </ul>
                        )}
                      </td>
                      <td className="py-2">{p.teamCount}</td>
                      <td className="py-2 text-slate-500">{p.lastSignInAt?.toUTCString() ?? "never"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
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
