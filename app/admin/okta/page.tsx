import type { Metadata } from "next";
import { Suspense } from "react";
import { CheckRow, CheckRowPending } from "@/components/check-row";
import { RequireAccess } from "@/components/require-access";
import { organizationIdFor } from "@/lib/organizations";
import { checkableConnections, recordOperatorAccess, runningCheck } from "@/lib/okta-check";
import { getDb } from "@/lib/db";
import { CHECKS, type CheckResult } from "@/lib/okta/checks";
import { diffRuns, listCheckRuns, shownActor } from "@/lib/okta-check";

export const metadata: Metadata = { title: "Okta configuration check" };

const card = "rounded-lg border border-slate-200 bg-white p-8";

async function Streamed({ result }: { result: Promise<CheckResult> }) {
  return <CheckRow result={await result} />;
}

/** Runs the check (streaming each result as it arrives) and shows the stored history of runs. */
export default async function OktaCheckPage({
  searchParams,
}: {
  searchParams: Promise<{ watch?: string; connection?: string }>;
}) {
  const { watch, connection: requested } = await searchParams;
  return (
    <RequireAccess path="/admin/okta">
      {async ({ principal, view }) => {
        const allowed = checkableConnections(view);
        const target = typeof requested === "string" ? requested : principal.connection;
        if (!allowed.includes(target)) {
          return (
            <p className={card}>You can run the configuration check on your own organization&apos;s connection only.</p>
          );
        }
        await recordOperatorAccess(principal, target, "viewed the configuration check");
        const canRun = principal.permissions.includes("rules.write");
        // A run started by POST /admin/okta/run streams here while it lasts; after it, its stored results show.
        const current = watch === "1" ? await runningCheck(target) : null;
        const db = await getDb();
        const history = await listCheckRuns(db, await organizationIdFor(db, target), 10);
        const latest = watch === "1" && !current ? history[0] : undefined;
        return (
          <div className="flex flex-col gap-6">
            <section className={card} aria-labelledby="check">
              <div className="flex items-start justify-between gap-4">
                <div>
                  <h1 id="check" className="text-2xl font-semibold">
                    Okta configuration check: {target}
                  </h1>
                  <p className="mt-1 text-slate-600">
                    Finds setup problems from the outside, before your users hit them, and says what to change in Okta.
                  </p>
                </div>
                {canRun ? (
                  <form method="post" action="/admin/okta/run">
                    <input type="hidden" name="connection" value={target} />
                    <button
                      type="submit"
                      className="rounded-md bg-brand px-4 py-2 font-medium whitespace-nowrap text-white"
                    >
                      {current || latest ? "Run again" : "Run the check"}
                    </button>
                  </form>
                ) : null}
              </div>
              {current ? (
                <ul className="mt-6" aria-label="Check results" aria-live="polite">
                  {CHECKS.map((c, i) => (
                    <Suspense key={c.id} fallback={<CheckRowPending title={c.title} />}>
                      <Streamed result={current.each[i] ?? Promise.reject(new Error("missing check"))} />
                    </Suspense>
                  ))}
                </ul>
              ) : latest ? (
                <ul className="mt-6" aria-label="Check results">
                  {latest.results.map((r) => (
                    <CheckRow key={r.id} result={r} />
                  ))}
                </ul>
              ) : (
                <p className="mt-6 text-slate-600">
                  {canRun ? "Run the check to see each result here." : "Only admins (rules.write) can run the check."}
                </p>
              )}
            </section>
            {allowed.length > 1 ? (
              <nav className={card} aria-label="Organizations to check">
                <h2 className="text-lg font-semibold">Platform operator: check any organization</h2>
                <ul className="mt-2 flex flex-wrap gap-3 text-sm">
                  {allowed.map((name) => (
                    <li key={name}>
                      <a
                        href={`/admin/okta?connection=${encodeURIComponent(name)}`}
                        className={name === target ? "font-semibold" : "text-brand underline"}
                      >
                        {name}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
            ) : null}
            <section className={card} aria-labelledby="history">
              <h2 id="history" className="text-lg font-semibold">
                Previous runs
              </h2>
              {history.length === 0 ? <p className="mt-2 text-slate-600">None yet.</p> : null}
              <ul className="mt-3 flex flex-col gap-3 text-sm">
                {history.map((h, i) => {
                  const counts = ["fail", "warn", "pass", "skipped"]
                    .map((s) => `${String(h.results.filter((r) => r.status === s).length)} ${s}`)
                    .join(", ");
                  const changes = diffRuns(h, history[i + 1]);
                  return (
                    <li key={h.id}>
                      <span className="text-slate-500">{h.startedAt.toUTCString()}</span> by{" "}
                      {shownActor(h.actor, principal, target)}: {counts}
                      {changes.length > 0 ? (
                        <span className="text-slate-700">
                          {" "}
                          · changed: {changes.map((c) => `${c.title} ${c.from} → ${c.to}`).join("; ")}
                        </span>
                      ) : null}
                    </li>
                  );
                })}
              </ul>
            </section>
          </div>
        );
      }}
    </RequireAccess>
  );
}
