"use client";

import { useActionState } from "react";
import type { ActionState } from "@/lib/auth/access";

/** A form posting to a server action, showing its answer (success, or the error with what to do) next to the button. */
export function ActionForm({
  action,
  submitLabel,
  label,
  children,
  tone = "primary",
  className = "",
}: {
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
  submitLabel: string;
  label: string;
  children?: React.ReactNode;
  tone?: "primary" | "danger";
  className?: string;
}) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const button =
    tone === "danger"
      ? "rounded-md border border-red-300 px-3 py-1 text-sm text-red-800 hover:bg-red-50"
      : "self-start rounded-md bg-brand px-4 py-2 font-medium text-white disabled:opacity-60";
  return (
    <form action={formAction} aria-label={label} className={className}>
      {children}
      <button type="submit" disabled={pending} className={button}>
        {pending ? "Working…" : submitLabel}
      </button>
      {state.status === "ok" ? (
        <p role="status" className="mt-2 text-sm text-green-800">
          {state.message}
        </p>
      ) : null}
      {state.status === "error" ? (
        <p role="alert" className="mt-2 rounded-md border border-red-200 bg-red-50 p-2 text-sm text-red-900">
          {state.error.message}
        </p>
      ) : null}
    </form>
  );
}
