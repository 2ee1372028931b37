import type { ActivityBucket, ActivityUnit } from "@/lib/audit/queries";
import { describeReason } from "@/lib/audit/describe";

const COLORS = ["#b91c1c", "#c2410c", "#a16207", "#7e22ce", "#be185d", "#0369a1", "#4d7c0f", "#334155"];

/** Sign-ins per hour, day, week, month or year: successes in green, failures stacked by reason. Plain SVG, drawn on the server. */
export function ActivityChart({ unit, buckets }: { unit: ActivityUnit; buckets: ActivityBucket[] }) {
  const reasons = [...new Set(buckets.flatMap((b) => Object.keys(b.reasons)))].sort();
  const max = Math.max(1, ...buckets.map((b) => b.succeeded + b.failed));
  const width = 720;
  const height = 140;
  const bar = width / Math.max(buckets.length, 1);
  const y = (n: number) => (n / max) * (height - 10);
  const totals = buckets.reduce((t, b) => ({ ok: t.ok + b.succeeded, failed: t.failed + b.failed }), {
    ok: 0,
    failed: 0,
  });
  const label = (d: Date) =>
    unit === "hour"
      ? `${d.toISOString().slice(5, 13).replace("T", " ")}:00`
      : unit === "month"
        ? d.toISOString().slice(0, 7)
        : unit === "year"
          ? d.toISOString().slice(0, 4)
          : d.toISOString().slice(0, 10);
  return (
    <figure aria-label="Sign-ins and failures" className="mt-4">
      <svg
        viewBox={`0 0 ${String(width)} ${String(height + 18)}`}
        className="w-full"
        role="img"
        aria-label={`${String(totals.ok)} sign-ins and ${String(totals.failed)} failures per ${unit}`}
      >
        <line x1="0" x2={width} y1={height} y2={height} stroke="#cbd5e1" />
        {buckets.map((b, i) => {
          const x = i * bar + 1;
          let top = height - y(b.succeeded);
          const parts = [
            <rect key="ok" x={x} y={top} width={Math.max(bar - 2, 1)} height={y(b.succeeded)} fill="#15803d" />,
          ];
          for (const [j, reason] of reasons.entries()) {
            const n = b.reasons[reason] ?? 0;
            if (n === 0) continue;
            top -= y(n);
            parts.push(
              <rect
                key={reason}
                x={x}
                y={top}
                width={Math.max(bar - 2, 1)}
                height={y(n)}
                fill={COLORS[j % COLORS.length]}
              />,
            );
          }
          return (
            <g key={b.at.toISOString()}>
              <title>{`${label(b.at)}: ${String(b.succeeded)} sign-ins, ${String(b.failed)} failures${
                b.failed > 0
                  ? ` (${Object.entries(b.reasons)
                      .map(([r, n]) => `${describeReason("sign_in.failed", r) ?? r} ${String(n)}`)
                      .join(", ")})`
                  : ""
              }`}</title>
              {parts}
            </g>
          );
        })}
        <text x="0" y={height + 14} fontSize="11" fill="#64748b">
          {buckets[0] ? label(buckets[0].at) : ""}
        </text>
        <text x={width} y={height + 14} fontSize="11" fill="#64748b" textAnchor="end">
          {buckets.at(-1) ? label(buckets.at(-1)?.at ?? new Date()) : ""}
        </text>
      </svg>
      <figcaption className="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600">
        <span>
          <span className="mr-1 inline-block h-2 w-2 bg-green-700" />
          {totals.ok} sign-ins
        </span>
        {reasons.map((r, j) => (
          <span key={r}>
            <svg width="8" height="8" className="mr-1 inline-block" aria-hidden="true">
              <rect width="8" height="8" fill={COLORS[j % COLORS.length]} />
            </svg>
            {describeReason("sign_in.failed", r)} ({buckets.reduce((n, b) => n + (b.reasons[r] ?? 0), 0)})
          </span>
        ))}
        <span>per {unit}, UTC</span>
      </figcaption>
      {/* The chart's numbers in text, for screen readers and for anyone who wants them exact. */}
      <details className="mt-2 text-xs text-slate-600">
        <summary>The numbers as a table</summary>
        <table className="mt-2 text-left" aria-label={`Sign-ins and failures per ${unit}`}>
          <thead>
            <tr>
              <th className="pr-4 font-medium">{unit} (UTC)</th>
              <th className="pr-4 font-medium">sign-ins</th>
              <th className="pr-4 font-medium">failures</th>
            </tr>
          </thead>
          <tbody>
            {buckets
              .filter((b) => b.succeeded + b.failed > 0)
              .map((b) => (
                <tr key={b.at.toISOString()}>
                  <td className="pr-4 font-mono">{label(b.at)}</td>
                  <td className="pr-4">{b.succeeded}</td>
                  <td className="pr-4">{b.failed}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
