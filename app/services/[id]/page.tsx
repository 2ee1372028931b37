import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { RequireAccess } from "@/components/require-access";
import { ServiceForm } from "@/components/service-form";
import { getService, listTeamNames, UUID } from "@/lib/catalog";
import { getDb } from "@/lib/db";
import { missingPermissionToEditService } from "@/lib/rbac";
import { updateServiceAction } from "../actions";

export const metadata: Metadata = { title: "Service" };

export default async function ServicePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <RequireAccess path={`/services/${encodeURIComponent(id)}`}>
      {async ({ principal }) => {
        const db = await getDb();
        // Scoped to the person's organization: another organization's service is "not found".
        const service = UUID.test(id) ? await getService(db, principal.organizationId, id) : null;
        if (!service) notFound();
        const missing = missingPermissionToEditService(principal, service.ownerTeam);
        const canChangeOwner = principal.permissions.includes("services.write_any");
        return (
          <section className="rounded-lg border border-slate-200 bg-white p-8">
            <Link href="/services" className="text-sm text-brand hover:underline">
              ← Service catalog
            </Link>
            <h1 className="mt-2 text-2xl font-semibold">{service.name}</h1>
            <dl className="mt-4 grid grid-cols-[10rem_1fr] gap-y-2 text-sm">
              <dt className="text-slate-500">Owner team</dt>
              <dd className="font-mono">{service.ownerTeam}</dd>
              <dt className="text-slate-500">Lifecycle</dt>
              <dd>{service.lifecycle}</dd>
              <dt className="text-slate-500">Last changed</dt>
              <dd>
                {new Date(service.updatedAt).toUTCString()} by {service.updatedBy ?? "unknown"}
              </dd>
            </dl>
            {missing === null ? (
              <ServiceForm
                action={updateServiceAction}
                service={service}
                teams={canChangeOwner ? await listTeamNames(db, principal.organizationId) : []}
                canChangeOwner={canChangeOwner}
              />
            ) : (
              <>
                <p className="mt-6 text-slate-700">{service.description}</p>
                <p className="mt-6 rounded-md bg-slate-50 p-3 text-sm text-slate-600" role="note">
                  Read-only for you: editing {service.name} needs membership of {service.ownerTeam} with a member role,
                  or the permission <code className="font-mono">services.write_any</code>.
                </p>
              </>
            )}
          </section>
        );
      }}
    </RequireAccess>
  );
}
