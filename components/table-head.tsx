/** The header row every list table uses; `actions` adds an unlabeled column for per-row buttons. */
export function TableHead({ columns, actions = false }: { columns: string[]; actions?: boolean }) {
  return (
    <thead className="border-b border-slate-200 text-slate-500">
      <tr>
        {columns.map((c) => (
          <th key={c} className="py-2 font-medium">
            {c}
          </th>
        ))}
        {actions ? (
          <th className="py-2 font-medium">
            <span className="sr-only">Actions</span>
          </th>
        ) : null}
      </tr>
    </thead>
  );
}
