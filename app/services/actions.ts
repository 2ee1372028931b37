"use server";

import { z } from "zod";
import { audit } from "@/lib/audit";
import { action } from "@/lib/auth/access";
import { servicePatchSchema, updateService } from "@/lib/catalog";
import { getDb } from "@/lib/db";

const formSchema = z.object({ id: z.string().max(64) }).and(
  z.object({
    description: z.string().optional(),
    lifecycle: z.string().optional(),
    ownerTeam: z.string().optional(),
  }),
);

/**
 * Saves the service form. Anyone can post to a server action with any id: updateService checks the
 * service belongs to the person's organization and that they may edit it (their team, or services.write_any).
 */
export const updateServiceAction = action(formSchema, "services.read", "service.update", async (input, principal) => {
  const patch = servicePatchSchema.parse({
    description: input.description,
    lifecycle: input.lifecycle,
    ownerTeam: input.ownerTeam === "" ? undefined : input.ownerTeam,
  });
  const service = await updateService(await getDb(), principal, input.id, patch, audit);
  return `Saved ${service.name}.`;
});
