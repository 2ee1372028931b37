import type { Metadata } from "next";
import Link from "next/link";
import { ActionForm } from "@/components/action-form";
import { ActivityChart } from "@/components/activity-chart";
import { RequireAccess } from "@/components/require-access";
import { TableHead } from "@/components/table-head";
import { ShortId } from "@/components/short-id";
import { AUDIT_EVENT_TYPES, listAuditEvents, parseAuditQuery, signInActivity } from "@/lib/audit";
import { describeEvent, describeReason } from "@/lib/audit/describe";
import { getDb } from "@/lib/db";
import { keptParams, oneParam, type PageParams } from "@/lib/http/page-params";
import { verifyAuditAction } from "./actions";

export const metadata: Metadata = { title: "Audit log" };

const card = "rounded-lg border border-slate-200 bg-white p-8";
const input = "rounded-md border border-slate-300 p-2 text-sm";
const OUTCOME: Record<string, string> = {
  success: "text-green-800",
  failure: "text-red-800",
  denied: "text-amber-800",
};

/** Where an event's target lives in the console. */
function targetHref(target: string | null): string | null {
  if (!target) return null;
  const [kind, id] = target.split(":", 2);
  if (!id) return null;
  if (kind === "user") return `/admin/users/${encodeURIComponent(id)}`;
  if (kind === "rule") return `/admin/rules#rule-${encodeURIComponent(id)}`;
  if (kind === "service") return `/services/${encodeURIComponent(id)}`;
  return null;
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<PageParams> }) {
  const params = await searchParams;
  return (
    <RequireAccess path="/admin/audit">
      {async ({ principal }) => {
        const parsed = parseAuditQuery(params);
        const query = parsed.ok ? parsed.query : { limit: 50 };
        const filter = { organizationId: principal.organizationId, ...query };
        const db = await getDb();
        const until = query.until ?? new Date();
        const since = query.since ?? new Date(until.getTime() - 24 * 3_600_000);
        const [page, activity] = parsed.ok
          ? await Promise.all([
              listAuditEvents(db, filter, { before: query.before, limit: query.limit }),
              signInActivity(db, principal.organizationId, since, until),
            ])
          : [{ events: [], nextBefore: null }, null];
        const keep = keptParams(params, ["type", "since", "until", "actor", "q", "limit"], 200);
        const older = page.nextBefore
          ? `?${new URLSearchParams([...keep, ["before", String(page.nextBefore)]]).toString()}`
          : null;
        const exportQuery = new URLSearchParams([...keep].filter(([k]) => k !== "limit"));
        const exportHref = (format: string) =>
          `/admin/audit/export?${new URLSearchParams([...exportQuery, ["format", format]]).toString()}`;
        const value = (key: string) => oneParam(params[key], 200) ?? "";
        return (
          <div className="flex flex-col gap-6">
            <section className={card} aria-labelledby="audit">
              <div className="flex flex-wrap items-start justify-between gap-4">
                <div>
                  <h1 id="audit" className="text-2xl font-semibold">
                    Audit log
                  </h1>
                  <p className="mt-1 text-slate-600">
                    Every sign-in, refusal and change in {principal.connection}, newest first. Events cannot be changed
                    or deleted.
                  </p>
                </div>
                <div className="flex gap-2 text-sm">
                  <a
                    href={exportHref("csv")}
                    className="rounded-md border border-slate-300 px-3 py-1.5 text-slate-700 hover:bg-slate-100"
                  >
                    Export CSV
                  </a>
                  <a
                    href={exportHref("ndjson")}
                    className="rounded-md border border-slate-300 px-3 py-1.5 text-slate-700 hover:bg-slate-100"
                  >
                    Export NDJSON
                  </a>
                </div>
              </div>
              <form method="get" className="mt-6 flex flex-wrap items-end gap-3" aria-label="Filter the audit log">
                <label className="flex grow flex-col gap-1 text-sm">
                  Search (reference id, email, target)
                  <input
                    name="q"
                    defaultValue={value("q")}
                    maxLength={200}
                    className={`${input} font-mono`}
                    placeholder="reference from an error page"
                  />
                </label>
                <label className="flex flex-col gap-1 text-sm">
                  Type
                  <select name="type" defaultValue={value("type")} className={input}>
                    <option value="">all types</option>
                    {AUDIT_EVENT_TYPES.map((t) => (
                      <option key={t}>{t}</option>
                    ))}
                  </select>
                </label>
                <label className="flex flex-col gap-1 text-sm">
                  Actor (email or Okta sub)
                  <input name="actor" defaultValue={value("actor")} maxLength={320} className={input} />
                </label>
                <label className="flex flex-col gap-1 text-sm">
                  Since (UTC)
                  <input name="since" type="datetime-local" defaultValue={value("since")} className={input} />
                </label>
                <label className="flex flex-col gap-1 text-sm">
                  Until (UTC)
                  <input name="until" type="datetime-local" defaultValue={value("until")} className={input} />
                </label>
                <button type="submit" className="rounded-md bg-brand px-4 py-2 font-medium text-white">
                  Filter
                </button>
                {keep.size > 0 ? (
                  <Link href="/admin/audit" className="py-2 text-sm text-brand underline">
                    Clear
                  </Link>
                ) : null}
              </form>
              {!parsed.ok ? (
                <p role="alert" className="mt-3 rounded-md border border-red-200 bg-red-50 p-2 text-sm text-red-900">
                  {parsed.message}
                </p>
              ) : null}
              {activity ? <ActivityChart unit={activity.unit} buckets={activity.buckets} /> : null}
            </section>

            <section className={card} aria-labelledby="events">
              <h2 id="events" className="text-lg font-semibold">
                Events
              </h2>
              {page.events.length === 0 ? <p className="mt-2 text-slate-600">No events match.</p> : null}
              <div className="mt-3 overflow-x-auto">
                <table className="w-full text-left text-sm" aria-label="Audit events">
                  <TableHead columns={["Time (UTC)", "Event", "Actor", "Target", "Reason", "From"]} />
                  <tbody>
                    {page.events.map((e) => {
                      const href = targetHref(e.target);
                      const reason = describeReason(e.type, e.reason);
                      const summary = describeEvent(e.type, e.details);
                      return (
                        <tr key={e.id} className="border-b border-slate-100 align-top">
                          <td className="py-2 pr-2 font-mono text-xs whitespace-nowrap">
                            {e.at.toISOString().replace("T", " ").slice(0, 19)}
                          </td>
                          <td className="py-2 pr-2">
                            <span className="font-mono text-xs">{e.type}</span>
                            <div className={`text-xs ${OUTCOME[e.outcome ?? ""] ?? ""}`}>
                              {e.outcome}
                              {e.count > 1 ? ` ×${String(e.count)}` : ""}
                            </div>
                            {summary ? <div className="max-w-56 text-xs text-slate-700">{summary}</div> : null}
                          </td>
                          <td className="py-2 pr-2">
                            {e.actor ?? <span className="text-slate-500">unknown</span>}
                            {e.actorSub && e.actorSub !== e.actor ? (
                              <div className="font-mono text-xs text-slate-500">{e.actorSub}</div>
                            ) : null}
                          </td>
                          <td className="py-2 pr-2">
                            {href ? (
                              <Link href={href} className="text-brand underline">
                                {e.targetLabel ?? e.target}
                              </Link>
                            ) : (
                              (e.targetLabel ?? "")
                            )}
                          </td>
                          <td className="py-2 pr-2">
                            {reason ? <span title={e.reason ?? ""}>{reason}</span> : null}
                            {e.refs.length > 0 ? (
                              <div
                                className="flex flex-wrap items-center gap-1 text-xs text-slate-500"
                                aria-label="Reference ids"
                              >
                                ref{" "}
                                {e.refs.slice(0, 3).map((r) => (
                                  <ShortId key={r} value={r} label="reference" />
                                ))}
                                {e.refs.length > 3 ? ` +${String(e.refs.length - 3)}` : ""}
                              </div>
                            ) : null}
                            <details className="text-xs text-slate-500">
                              <summary>details</summary>
                              <pre className="max-w-md overflow-x-auto whitespace-pre-wrap break-all">
                                {JSON.stringify(e.details, null, 1)}
                              </pre>
                            </details>
                          </td>
                          <td className="py-2 text-xs text-slate-500">
                            {e.ip ?? ""}
                            {e.userAgent ? (
                              <div className="max-w-48 truncate" title={e.userAgent}>
                                {e.userAgent}
                              </div>
                            ) : null}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              {older ? (
                <Link href={`/admin/audit${older}`} className="mt-4 inline-block text-brand underline">
                  Older events →
                </Link>
              ) : null}
            </section>

            <section className={card} aria-labelledby="integrity">
              <h2 id="integrity" className="text-lg font-semibold">
                Integrity
              </h2>
              <p className="mt-1 text-sm text-slate-600">
                Each event carries a SHA-256 hash chained to the one before it. Verifying walks the whole chain and
                names the first event that was changed or removed.
              </p>
              <ActionForm
                action={verifyAuditAction}
                submitLabel="Verify the chain"
                label="Verify the audit chain"
                className="mt-3 flex flex-col gap-2"
              />
            </section>
          </div>
        );
      }}
    </RequireAccess>
  );
}
