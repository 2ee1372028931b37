import type { Db } from "../db/client";
import type { Principal } from "../rbac";
import { listServices } from "./queries";

/** The body of GET /api/v1/services, shared by the route and the benchmark (which runs it with auth skipped). */
export async function servicesListResponse(db: Db, principal: Pick<Principal, "organizationId">): Promise<Response> {
  return Response.json(
    { services: await listServices(db, principal.organizationId) },
    { headers: { "cache-control": "no-store" } },
  );
}
