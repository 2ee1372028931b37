import type { Metadata } from "next";
import Link from "next/link";
import { RequireAccess } from "@/components/require-access";
import { TableHead } from "@/components/table-head";
import { listServices } from "@/lib/catalog";
import { getDb } from "@/lib/db";
import { missingPermissionToEditService } from "@/lib/rbac";

export const metadata: Metadata = { title: "Services" };

const LIFECYCLE_STYLE: Record<string, string> = {
  production: "bg-green-100 text-green-900",
  experimental: "bg-sky-100 text-sky-900",
  deprecated: "bg-slate-200 text-slate-700",
};

export default function ServicesPage() {
  return (
    <RequireAccess path="/services">
      {async ({ principal }) => {
        const services = await listServices(await getDb(), principal.organizationId);
        const editable = principal.permissions.includes("services.write_any")
          ? "You can edit every service."
          : principal.permissions.includes("services.write")
            ? `You can edit the services of your teams: ${principal.teams.filter((t) => services.some((s) => s.ownerTeam === t)).join(", ") || "none listed here"}.`
            : "You can read the catalog; editing needs a member role in the owning team.";
        return (
          <section className="rounded-lg border border-slate-200 bg-white p-8">
            <h1 className="text-2xl font-semibold">Service catalog</h1>
            <p className="mt-1 text-slate-600">{editable}</p>
            <table className="mt-6 w-full text-left text-sm">
              <TableHead columns={["Service", "Owner team", "Lifecycle"]} actions />
              <tbody>
                {services.map((s) => {
                  const canEdit = missingPermissionToEditService(principal, s.ownerTeam) === null;
                  return (
                    <tr key={s.id} className="border-b border-slate-100 align-top">
                      <td className="py-3">
                        <Link href={`/services/${s.id}`} className="font-medium text-brand hover:underline">
                          {s.name}
                        </Link>
                        <p className="text-slate-600">{s.description}</p>
                      </td>
                      <td className="py-3 font-mono text-xs">{s.ownerTeam}</td>
                      <td className="py-3">
                        <span className={`rounded-full px-2 py-0.5 text-xs ${LIFECYCLE_STYLE[s.lifecycle] ?? ""}`}>
                          {s.lifecycle}
                        </span>
                      </td>
                      <td className="py-3 text-right">
                        {canEdit ? (
                          <Link
                            href={`/services/${s.id}`}
                            className="rounded-md border border-slate-300 px-3 py-1 text-slate-700 hover:bg-slate-100"
                            aria-label={`Edit ${s.name}`}
                          >
                            Edit
                          </Link>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {services.length === 0 ? <p className="mt-4 text-slate-600">No services yet.</p> : null}
          </section>
        );
      }}
    </RequireAccess>
  );
}
