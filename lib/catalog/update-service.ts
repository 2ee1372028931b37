import { z } from "zod";
import { accessDeniedEvent, type AuditEvent } from "../audit/events";
import type { Db } from "../db/client";
import { SERVICE_LIFECYCLES } from "../db/schema/catalog";
import { forbiddenError, missingPermissionToEditService, RbacError, type Principal } from "../rbac";
import { findTeamId, getService, writeService, type Service } from "./queries";

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const servicePatchSchema = z
  .strictObject({
    description: z.string().trim().max(500, "A description has at most 500 characters.").optional(),
    lifecycle: z.enum(SERVICE_LIFECYCLES, { message: `lifecycle is one of ${SERVICE_LIFECYCLES.join(", ")}.` }).optional(),
    ownerTeam: z.string().trim().min(1).max(255).optional(),
  })
  .refine((p) => Object.values(p).some((v) => v !== undefined), "Send at least one of description, lifecycle, ownerTeam.");
export type ServicePatch = z.infer<typeof servicePatchSchema>;

export function serviceNotFound(): RbacError {
  return new RbacError({ code: "not_found", status: 404, message: "service not found", userMessage: "There is no such service in your organization." });
}

/**
 * The one place that decides and applies a change to a service, for the console and the API alike:
 * scoped to the principal's organization, checked against their permissions and teams, audited.
 */
export async function updateService(
  db: Db,
  principal: Principal,
  id: string,
  patch: ServicePatch,
  audit: (event: AuditEvent) => Promise<void>,
): Promise<Service> {
  const before = UUID.test(id) ? await getService(db, principal.organizationId, id) : null;
  if (!before) throw serviceNotFound();
  const missing = missingPermissionToEditService(principal, before.ownerTeam, { ownerTeam: patch.ownerTeam });
  if (missing) {
    await audit(accessDeniedEvent(principal, "service.update", missing, { details: { service: before.name, serviceId: id, ownerTeam: before.ownerTeam } }));
    throw forbiddenError(missing, `edit ${before.name}, which belongs to ${before.ownerTeam}`);
  }
  let ownerTeamId: string | undefined;
  if (patch.ownerTeam !== undefined && patch.ownerTeam !== before.ownerTeam) {
    ownerTeamId = (await findTeamId(db, principal.organizationId, patch.ownerTeam)) ?? undefined;
    if (!ownerTeamId) {
      throw new RbacError({ code: "not_found", status: 400, message: "unknown team", userMessage: `There is no team "${patch.ownerTeam}" (teams are Okta groups of people who have signed in).` });
    }
  }
  await writeService(db, principal.organizationId, id, { description: patch.description, lifecycle: patch.lifecycle, ownerTeamId }, principal.actor);
  const after = await getService(db, principal.organizationId, id);
  if (!after) throw serviceNotFound();
  await audit({
    type: "service.updated",
    organizationId: principal.organizationId,
    connection: principal.connection,
    actor: principal.actor,
    details: {
      service: after.name,
      serviceId: id,
      via: principal.kind,
      before: { description: before.description, lifecycle: before.lifecycle, ownerTeam: before.ownerTeam },
      after: { description: after.description, lifecycle: after.lifecycle, ownerTeam: after.ownerTeam },
    },
  });
  return after;
}
