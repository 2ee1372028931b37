import type { StoredCheckResult } from "@/lib/db/schema";
import { CopyButton } from "./copy-button";

const BADGE: Record<StoredCheckResult["status"], string> = {
  pass: "bg-green-100 text-green-900",
  warn: "bg-amber-100 text-amber-900",
  fail: "bg-red-100 text-red-900",
  skipped: "bg-slate-100 text-slate-700",
};

/** One check's result: status, message, the fix with the value to paste, and the evidence. */
export function CheckRow({ result }: { result: StoredCheckResult }) {
  return (
    <li className="border-b border-slate-100 py-3" aria-label={result.title}>
      <div className="flex items-start gap-3">
        <span
          className={`w-16 shrink-0 rounded px-2 py-0.5 text-center text-xs font-semibold uppercase ${BADGE[result.status]}`}
        >
          {result.status}
        </span>
        <div className="min-w-0">
          <p className="font-medium">{result.title}</p>
          <p className="text-sm text-slate-700">{result.message}</p>
          {result.fix ? <p className="mt-1 text-sm text-amber-950">Fix: {result.fix}</p> : null}
          {result.value ? (
            <p className="mt-1 flex items-center gap-2 text-sm">
              <code className="break-all rounded bg-slate-100 px-1.5 py-0.5 font-mono">{result.value}</code>
              <CopyButton value={result.value} label={`value for ${result.title}`} />
            </p>
          ) : null}
          {result.evidence.length > 0 ? (
            <details className="mt-1 text-xs text-slate-500">
              <summary>Evidence ({result.durationMs} ms)</summary>
              <ul className="mt-1 list-disc pl-5 font-mono">
                {result.evidence.map((e) => (
                  <li key={e}>{e}</li>
                ))}
              </ul>
            </details>
          ) : null}
        </div>
      </div>
    </li>
  );
}

export function CheckRowPending({ title }: { title: string }) {
  return (
    <li className="border-b border-slate-100 py-3" aria-label={title} aria-busy="true">
      <div className="flex items-start gap-3">
        <span className="w-16 shrink-0 animate-pulse rounded bg-slate-100 px-2 py-0.5 text-center text-xs font-semibold uppercase text-slate-500">
          running
        </span>
        <p className="font-medium">{title}</p>
      </div>
    </li>
  );
}
