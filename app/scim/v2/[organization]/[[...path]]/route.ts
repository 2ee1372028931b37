import { scimRoute } from "@/lib/auth/scim-endpoint";

export const dynamic = "force-dynamic";

/** porter's SCIM 2.0 service provider for one organization (lib/auth/scim-endpoint.ts). */
export const GET = scimRoute("GET");
export const POST = scimRoute("POST");
export const PUT = scimRoute("PUT");
export const PATCH = scimRoute("PATCH");
export const DELETE = scimRoute("DELETE");
