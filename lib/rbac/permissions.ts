/**
 * Every permission porter knows, as "resource.action". The type is derived from this list, so a typo in a
 * check does not compile.
 */
export const PERMISSIONS = [
  "services.read",
  "services.write",
  "services.write_any",
  "users.read",
  "users.write",
  "audit.read",
  "rules.read",
  "rules.write",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const PERMISSION_DESCRIPTIONS: Readonly<Record<Permission, string>> = {
  "services.read": "See the service catalog",
  "services.write": "Edit services owned by one of your teams",
  "services.write_any": "Edit any service and change its owner team",
  "users.read": "See users, their teams and how they got their roles",
  "users.write": "End people's porter sessions",
  "audit.read": "Read the audit log",
  "rules.read": "See mapping rules and roles",
  "rules.write": "Change mapping rules, roles and the default role",
};

export const BUILT_IN_ROLES = ["admin", "member", "viewer"] as const;
export type BuiltInRole = (typeof BUILT_IN_ROLES)[number];
export const ADMIN_ROLE: BuiltInRole = "admin";

/** Roles -> permissions for the built-in roles. Read this table to know what each role may do. */
export const BUILT_IN_ROLE_PERMISSIONS: Readonly<Record<BuiltInRole, readonly Permission[]>> = {
  //       services.read  services.write  services.write_any  users.read  users.write  audit.read  rules.read  rules.write
  admin: [
    "services.read",
    "services.write",
    "services.write_any",
    "users.read",
    "users.write",
    "audit.read",
    "rules.read",
    "rules.write",
  ],
  member: ["services.read", "services.write"],
  viewer: ["services.read"],
};

/**
 * Only the built-in admin role may change who gets which role: a custom role holding rules.write could
 * grant itself admin, so it is not grantable.
 */
export const CUSTOM_ROLE_GRANTABLE: readonly Permission[] = PERMISSIONS.filter((p) => p !== "rules.write");

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

export function isBuiltInRole(value: string): value is BuiltInRole {
  return (BUILT_IN_ROLES as readonly string[]).includes(value);
}
