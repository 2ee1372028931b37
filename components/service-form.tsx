import type { ActionState } from "@/lib/auth/access";
import { SERVICE_LIFECYCLES } from "@/lib/db/schema/catalog";
import { ActionForm } from "./action-form";

const field = "flex flex-col gap-1";
const label = "text-sm font-medium text-slate-700";
const control = "rounded-md border border-slate-300 p-2";

function Select({
  name,
  title,
  value,
  options,
}: {
  name: string;
  title: string;
  value: string;
  options: readonly string[];
}) {
  return (
    <label className={field}>
      <span className={label}>{title}</span>
      <select name={name} defaultValue={value} className={control}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The service editor. The server decides again on save (the hidden id can be forged). */
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
  return (
    <ActionForm action={action} submitLabel="Save" label={`Edit ${service.name}`} className="mt-6 flex flex-col gap-4">
      <input type="hidden" name="id" value={service.id} />
      <label className={field}>
        <span className={label}>Description</span>
        <textarea name="description" defaultValue={service.description} maxLength={500} rows={3} className={control} />
      </label>
      <Select name="lifecycle" title="Lifecycle" value={service.lifecycle} options={SERVICE_LIFECYCLES} />
      {canChangeOwner ? <Select name="ownerTeam" title="Owner team" value={service.ownerTeam} options={teams} /> : null}
    </ActionForm>
  );
}
