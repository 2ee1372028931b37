"use client";

import { useActionState } from "react";
import type { ActionState } from "@/lib/auth/access";

const LIFECYCLES = ["experimental", "production", "deprecated"] as const;

export function ServiceForm({
  action,
  service,
  teams,
  canChangeOwner,
}: {
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
  service: { id: string; name: string; description: string; lifecycle: string; ownerTeam: string };
  teams: string[];
  canChangeOwner: boolean;
}) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  return (
    <form action={formAction} className="mt-6 flex flex-col gap-4" aria-label={`Edit ${service.name}`}>
      <input type="hidden" name="id" value={service.id} />
      <label className="flex flex-col gap-1">
        <span className="text-sm font-medium text-slate-700">Description</span>
        <textarea name="description" defaultValue={service.description} maxLength={500} rows={3} className="rounded-md border border-slate-300 p-2" />
      </label>
      <label className="flex flex-col gap-1">
        <span className="text-sm font-medium text-slate-700">Lifecycle</span>
        <select name="lifecycle" defaultValue={service.lifecycle} className="rounded-md border border-slate-300 p-2">
          {LIFECYCLES.map((l) => (
            <option key={l} value={l}>
              {l}
            </option>
          ))}
        </select>
      </label>
      {canChangeOwner ? (
        <label className="flex flex-col gap-1">
          <span className="text-sm font-medium text-slate-700">Owner team</span>
          <select name="ownerTeam" defaultValue={service.ownerTeam} className="rounded-md border border-slate-300 p-2">
            {teams.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <div className="flex items-center gap-4">
        <button type="submit" disabled={pending} className="rounded-md bg-brand px-4 py-2 font-medium text-white disabled:opacity-60">
          {pending ? "Saving…" : "Save"}
        </button>
        {state.status === "ok" ? (
          <p role="status" className="text-green-800">
            {state.message}
          </p>
        ) : null}
      </div>
      {state.status === "error" ? (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 p-3 text-red-900">
          {state.error.message}
        </p>
      ) : null}
    </form>
  );
}
