import { withBearer } from "@/lib/auth/bearer";

/** Who the access token speaks for, and what porter lets it do (no permission needed: it explains a 403). */
export const GET = withBearer({ scopes: ["porter.read"], permission: null }, (_req, { principal }) =>
  Promise.resolve(
    Response.json(
      {
        subject: principal.actor,
        kind: principal.kind,
        connection: principal.connection,
        groups: principal.teams,
        roles: principal.roles,
        permissions: principal.permissions,
      },
      { headers: { "cache-control": "no-store" } },
    ),
  ),
);
