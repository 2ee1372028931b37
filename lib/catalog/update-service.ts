import { z } from "zod";
import { accessDeniedEvent, actedBy, type AuditEvent } from "../audit/events";
import { appendAuditEvent } from "../audit/write";
import type { Db } from "../db/client";
import { SERVICE_LIFECYCLES } from "../db/schema/catalog";
import { forbiddenError, missingPermissionToEditService, type Permission, type Principal } from "../rbac";
import { CatalogError } from "./errors";
import { findTeamId, getService, writeService, type Service } from "./queries";

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const servicePatchSchema = z
  .strictObject({
    description: z.string().trim().max(500, "A description has at most 500 characters.").optional(),
    lifecycle: z
      .enum(SERVICE_LIFECYCLES, { message: `lifecycle is one of ${SERVICE_LIFECYCLES.join(", ")}.` })
      .optional(),
    ownerTeam: z.string().trim().min(1).max(255).optional(),
  })
  .refine(
    (p) => Object.values(p).some((v) => v !== undefined),
    "Send at least one of description, lifecycle, ownerTeam.",
  );
export type ServicePatch = z.infer<typeof servicePatchSchema>;

export function serviceNotFound(): CatalogError {
  return new CatalogError({
    code: "service_not_found",
    message: "service not found",
    userMessage: "There is no such service in your organization.",
  });
}

/**
 * The one place that decides and applies a change to a service, for the console and the API alike:
 * scoped to the principal's organization, checked against their permissions and teams, audited. The
 * check, the write and the audit event are one transaction on the locked service row, so an owner
 * change in between cannot slip an edit past the check, and no edit lands unaudited. A refusal is
 * audited through `audit` (it has no change to commit with).
 */
export async function updateService(
  db: Db,
  principal: Principal,
  id: string,
  patch: ServicePatch,
  audit: (event: AuditEvent) => Promise<void>,
): Promise<Service> {
  if (!UUID.test(id)) throw serviceNotFound();
  type Outcome = { denied: { missing: Permission; before: Service } } | { after: Service };
  const outcome = await db.transaction(async (tx): Promise<Outcome> => {
    const before = await getService(tx, principal.organizationId, id, { forUpdate: true });
    if (!before) throw serviceNotFound();
    const missing = missingPermissionToEditService(principal, before.ownerTeam, { ownerTeam: patch.ownerTeam });
    if (missing) return { denied: { missing, before } };
    let ownerTeamId: string | undefined;
    if (patch.ownerTeam !== undefined && patch.ownerTeam !== before.ownerTeam) {
      ownerTeamId = (await findTeamId(tx, principal.organizationId, patch.ownerTeam)) ?? undefined;
      if (!ownerTeamId) {
        throw new CatalogError({
          code: "unknown_team",
          message: "unknown team",
          userMessage: `There is no team "${patch.ownerTeam}" (teams are Okta groups of people who have signed in).`,
        });
      }
    }
    await writeService(
      tx,
      principal.organizationId,
      id,
      { description: patch.description, lifecycle: patch.lifecycle, ownerTeamId },
      principal.actor,
    );
    const after = await getService(tx, principal.organizationId, id);
    if (!after) throw serviceNotFound();
    await appendAuditEvent(tx, {
      type: "service.updated",
      ...actedBy(principal),
      target: `service:${id}`,
      targetLabel: after.name,
      details: {
        service: after.name,
        serviceId: id,
        via: principal.kind,
        before: { description: before.description, lifecycle: before.lifecycle, ownerTeam: before.ownerTeam },
        after: { description: after.description, lifecycle: after.lifecycle, ownerTeam: after.ownerTeam },
      },
    });
    return { after };
  });
  if ("denied" in outcome) {
    const { missing, before } = outcome.denied;
    await audit(
      accessDeniedEvent(principal, "service.update", missing, {
        target: `service:${id}`,
        targetLabel: before.name,
        details: { service: before.name, serviceId: id, ownerTeam: before.ownerTeam },
      }),
    );
    throw forbiddenError(missing, `edit ${before.name}, which belongs to ${before.ownerTeam}`);
  }
  const { after } = outcome;
  return after;
}
