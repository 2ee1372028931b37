import type { Permission } from "./permissions";

export interface Access {
  readonly permissions: readonly Permission[];
  /** The person's teams (kept groups). */
  readonly teams: readonly string[];
}

export function hasPermission(access: Pick<Access, "permissions">, permission: Permission): boolean {
  return access.permissions.includes(permission);
}

/**
 * Which permission editing this service needs from this person: services.write_any for any service,
 * services.write only for a service owned by one of their teams. Returns the missing permission, or null.
 */
export function missingPermissionToEditService(
  access: Access,
  ownerTeam: string,
  change: { ownerTeam?: string | undefined } = {},
): Permission | null {
  if (hasPermission(access, "services.write_any")) return null;
  if (change.ownerTeam !== undefined && change.ownerTeam !== ownerTeam) return "services.write_any";
  if (hasPermission(access, "services.write") && access.teams.includes(ownerTeam)) return null;
  return hasPermission(access, "services.write") ? "services.write_any" : "services.write";
}
