import type { User } from "../db/schema";

/** SCIM's schema URNs (RFC 7643, RFC 7644). */
export const SCHEMAS = {
  user: "urn:ietf:params:scim:schemas:core:2.0:User",
  group: "urn:ietf:params:scim:schemas:core:2.0:Group",
  list: "urn:ietf:params:scim:api:messages:2.0:ListResponse",
  patch: "urn:ietf:params:scim:api:messages:2.0:PatchOp",
  error: "urn:ietf:params:scim:api:messages:2.0:Error",
  serviceProviderConfig: "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
  resourceType: "urn:ietf:params:scim:schemas:core:2.0:ResourceType",
  schema: "urn:ietf:params:scim:schemas:core:2.0:Schema",
} as const;

/** The most resources one page returns (ServiceProviderConfig's filter.maxResults). */
export const MAX_RESULTS = 200;

export interface ScimUser {
  schemas: [typeof SCHEMAS.user];
  id: string;
  externalId?: string;
  userName: string;
  name: { givenName?: string; familyName?: string; formatted?: string };
  displayName?: string;
  emails: { value: string; type?: string; primary?: boolean }[];
  locale?: string;
  active: boolean;
  groups: { value: string; display: string; $ref: string }[];
  meta: { resourceType: "User"; created: string; lastModified: string; location: string };
}

export interface ScimGroup {
  schemas: [typeof SCHEMAS.group];
  id: string;
  externalId?: string;
  displayName: string;
  members?: { value: string; display: string; $ref: string }[];
  meta: { resourceType: "Group"; created: string; lastModified: string; location: string };
}

const optional = <K extends string, V>(key: K, value: V | null | undefined) =>
  (value === null || value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

/** A person as SCIM shows them. `base` is the organization's SCIM base URL. */
export function toScimUser(
  user: Pick<
    User,
    | "id"
    | "externalId"
    | "userName"
    | "givenName"
    | "familyName"
    | "name"
    | "email"
    | "scimEmails"
    | "locale"
    | "deprovisionedAt"
    | "createdAt"
    | "updatedAt"
  >,
  groups: readonly { id: string; displayName: string }[],
  base: string,
): ScimUser {
  const name = { ...optional("givenName", user.givenName), ...optional("familyName", user.familyName) };
  return {
    schemas: [SCHEMAS.user],
    id: user.id,
    ...optional("externalId", user.externalId),
    userName: user.userName ?? user.email ?? user.id,
    name: user.name ? { ...name, formatted: user.name } : name,
    ...optional("displayName", user.name),
    emails: user.scimEmails ?? (user.email ? [{ value: user.email, type: "work", primary: true }] : []),
    ...optional("locale", user.locale),
    active: user.deprovisionedAt === null,
    groups: groups.map((g) => ({ value: g.id, display: g.displayName, $ref: `${base}/Groups/${g.id}` })),
    meta: {
      resourceType: "User",
      created: user.createdAt.toISOString(),
      lastModified: user.updatedAt.toISOString(),
      location: `${base}/Users/${user.id}`,
    },
  };
}

export function toScimGroup(
  group: { id: string; displayName: string; externalId: string | null; createdAt: Date; updatedAt: Date },
  members: readonly { id: string; label: string }[] | null,
  base: string,
): ScimGroup {
  return {
    schemas: [SCHEMAS.group],
    id: group.id,
    ...optional("externalId", group.externalId),
    displayName: group.displayName,
    ...(members
      ? { members: members.map((m) => ({ value: m.id, display: m.label, $ref: `${base}/Users/${m.id}` })) }
      : {}),
    meta: {
      resourceType: "Group",
      created: group.createdAt.toISOString(),
      lastModified: group.updatedAt.toISOString(),
      location: `${base}/Groups/${group.id}`,
    },
  };
}

export function listResponse<T>(total: number, startIndex: number, resources: T[]) {
  return {
    schemas: [SCHEMAS.list],
    totalResults: total,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
