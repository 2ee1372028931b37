import { withBearer } from "@/lib/auth/bearer";
import { listServices } from "@/lib/catalog";
import { getDb } from "@/lib/db";

export const GET = withBearer({ scopes: ["porter.read"], permission: "services.read" }, async (_req, { principal }) =>
  Response.json({ services: await listServices(await getDb(), principal.organizationId) }, { headers: { "cache-control": "no-store" } }),
);
