import { audit } from "@/lib/audit";
import { withBearer } from "@/lib/auth/bearer";
import { getService, serviceNotFound, servicePatchSchema, updateService, UUID } from "@/lib/catalog";
import { getDb } from "@/lib/db";
import { readJsonBody } from "@/lib/http/read-json-body";

export const GET = withBearer<{ id: string }>(
  { scopes: ["porter.read"], permission: "services.read" },
  async (_req, { principal, params }) => {
    const service = UUID.test(params.id) ? await getService(await getDb(), principal.organizationId, params.id) : null;
    if (!service) throw serviceNotFound();
    return Response.json({ service }, { headers: { "cache-control": "no-store" } });
  },
);

/** Who may edit what is decided in updateService (the same rule as the console's form). */
export const PATCH = withBearer<{ id: string }>(
  { scopes: ["porter.write"], permission: null },
  async (req, { principal, params }) => {
    const patch = await readJsonBody(req, servicePatchSchema);
    const service = await updateService(await getDb(), principal, params.id, patch, audit);
    return Response.json({ service }, { headers: { "cache-control": "no-store" } });
  },
);
