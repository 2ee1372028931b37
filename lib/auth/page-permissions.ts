import type { Permission } from "../rbac";

/**
 * The permission each protected page needs, by path prefix: the one rule both the page's gate
 * (components/require-access.tsx) and the 403 page (app/forbidden.tsx, which names what is missing) read.
 */
const PAGE_PERMISSIONS: readonly (readonly [prefix: string, permission: Permission])[] = [
  ["/admin/users", "users.read"],
  ["/admin/audit", "audit.read"],
  ["/admin/okta", "rules.read"],
  ["/admin/rules", "rules.read"],
  ["/admin/connection", "rules.read"],
  ["/admin/provisioning", "rules.read"],
  ["/services", "services.read"],
];

export function pagePermission(pathname: string): Permission | null {
  return PAGE_PERMISSIONS.find(([prefix]) => pathname === prefix || pathname.startsWith(`${prefix}/`))?.[1] ?? null;
}

/** The header proxy.ts sets to the request's path, for server components that need it (the 403 page). */
export const PATH_HEADER = "x-porter-path";
