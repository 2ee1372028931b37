import { withBearer } from "@/lib/auth/bearer";
import { servicesListResponse } from "@/lib/catalog";
import { getDb } from "@/lib/db";

export const GET = withBearer({ scopes: ["porter.read"], permission: "services.read" }, async (_req, { principal }) =>
  servicesListResponse(await getDb(), principal),
);
