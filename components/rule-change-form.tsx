"use client";

import { startTransition, useActionState } from "react";
import type { ActionState } from "@/lib/auth/access";

type Action = (state: ActionState, form: FormData) => Promise<ActionState>;

/**
 * A change of the rules in two steps: the fields and "Preview" show who would gain and lose which role;
 * "Save this change" then applies exactly that preview (the server refuses it, and shows the new
 * preview, if the rules or the people changed meanwhile).
 */
export function RuleChangeForm({
  action,
  label,
  previewLabel = "Preview",
  children,
  className = "",
  tone = "primary",
}: {
  action: Action;
  label: string;
  previewLabel?: string;
  children?: React.ReactNode;
  className?: string;
  tone?: "primary" | "danger";
}) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const button =
    tone === "danger"
      ? "rounded-md border border-red-300 px-3 py-1 text-sm text-red-800 hover:bg-red-50 disabled:opacity-60"
      : "self-start rounded-md border border-slate-300 px-4 py-2 font-medium text-slate-800 hover:bg-slate-100 disabled:opacity-60";
  return (
    <div className={className}>
      <form
        action={formAction}
        // Submitted by hand so React does not reset the fields after the preview: they keep what was previewed.
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          startTransition(() => {
            formAction(form);
          });
        }}
        aria-label={label}
        className="flex flex-wrap items-end gap-3"
      >
        {children}
        <input type="hidden" name="intent" value="preview" />
        <button type="submit" disabled={pending} className={button}>
          {pending ? "Working…" : previewLabel}
        </button>
        {state.status === "ok" ? (
          <p role="status" className="w-full text-sm text-green-800">
            {state.message}
          </p>
        ) : null}
        {state.status === "error" ? (
          <p
            role="alert"
            className="w-full rounded-md border border-red-200 bg-red-50 p-2 text-sm whitespace-pre-line text-red-900"
          >
            {state.error.message}
          </p>
        ) : null}
      </form>
      {state.status === "preview" ? (
        <PreviewPanel state={state} formAction={formAction} pending={pending} label={label} />
      ) : null}
    </div>
  );
}

function People({ title, byRole, tone }: { title: string; byRole: Record<string, string[]>; tone: string }) {
  const entries = Object.entries(byRole);
  if (entries.length === 0) return null;
  return (
    <div className="mt-2">
      <h4 className={`text-sm font-semibold ${tone}`}>{title}</h4>
      <ul className="ml-4 list-disc text-sm">
        {entries.map(([role, people]) => (
          <li key={role}>
            <strong>{role}</strong>: {people.join(", ")}
          </li>
        ))}
      </ul>
    </div>
  );
}

function PreviewPanel({
  state,
  formAction,
  pending,
  label,
}: {
  state: Extract<ActionState, { status: "preview" }>;
  formAction: (form: FormData) => void;
  pending: boolean;
  label: string;
}) {
  const p = state.preview;
  return (
    <section
      className="mt-3 rounded-md border border-blue-200 bg-blue-50 p-4 text-slate-800"
      role="region"
      aria-label={`Preview: ${label}`}
    >
      {state.notice ? (
        <p role="alert" className="mb-2 rounded border border-amber-300 bg-amber-50 p-2 text-sm text-amber-950">
          {state.notice}
        </p>
      ) : null}
      <h3 className="font-semibold">Before you save: {p.summary}</h3>
      <p className="mt-1 text-sm" aria-label="Effect">
        {p.text}
      </p>
      <People title="Would lose" byRole={p.losses} tone="text-red-800" />
      <People title="Would gain" byRole={p.gains} tone="text-green-800" />
      <p className="mt-2 text-xs text-slate-500">
        Computed for all {p.users} known {p.users === 1 ? "person" : "people"} with the engine sign-in uses, on the
        rules as they are now.
      </p>
      {p.refusal ? (
        <p role="alert" className="mt-3 rounded border border-red-300 bg-red-50 p-2 text-sm text-red-900">
          Cannot be saved: {p.refusal}
        </p>
      ) : (
        <form action={formAction} className="mt-3 flex flex-wrap items-end gap-3" aria-label={`Save: ${label}`}>
          {Object.entries(state.values).flatMap(([k, v]) =>
            (Array.isArray(v) ? v : [v]).map((value, i) => (
              <input key={`${k}:${String(i)}`} type="hidden" name={k} value={value} />
            )),
          )}
          <input type="hidden" name="token" value={p.token} />
          <input type="hidden" name="intent" value="save" />
          {p.confirm ? (
            <label className="flex flex-col gap-1 text-sm">
              {p.losingPercent}% of people would lose a role. Type <code className="font-mono">{p.confirm}</code> to
              confirm
              <input
                name="confirmation"
                required
                autoComplete="off"
                className="rounded-md border border-slate-300 p-2 font-mono"
              />
            </label>
          ) : null}
          <button
            type="submit"
            disabled={pending}
            className="rounded-md bg-brand px-4 py-2 font-medium text-white disabled:opacity-60"
          >
            {pending ? "Saving…" : "Save this change"}
          </button>
        </form>
      )}
    </section>
  );
}
