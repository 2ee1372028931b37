import { CopyButton } from "./copy-button";

/**
 * A long id (a request id, a reference) shortened to its first characters so a table row stays one line;
 * the whole value shows on hover and on keyboard focus, is read whole by screen readers, and has a copy button.
 */
export function ShortId({ value, label, keep = 8 }: { value: string; label: string; keep?: number }) {
  if (value.length <= keep + 2) return <code className="font-mono text-xs">{value}</code>;
  return (
    <span className="group inline-flex items-center gap-1 align-middle">
      <code tabIndex={0} title={value} className="font-mono text-xs">
        <span className="sr-only">
          {label} {value}
        </span>
        <span className="group-focus-within:hidden" aria-hidden="true">
          {value.slice(0, keep)}…
        </span>
        <span className="hidden break-all group-focus-within:inline" aria-hidden="true">
          {value}
        </span>
      </code>
      <CopyButton value={value} label={`${label} ${value.slice(0, keep)}`} />
    </span>
  );
}
