import { MAX_RESULTS, SCHEMAS } from "./resources";

/** /ServiceProviderConfig (RFC 7643 §5): what porter's SCIM server supports. */
export function serviceProviderConfig(base: string) {
  return {
    schemas: [SCHEMAS.serviceProviderConfig],
    documentationUri: "https://github.com/porter/porter#provisioning-scim",
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "Bearer token",
        description: "A token made on porter's Provisioning page (Okta: HTTP Header authorization).",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${base}/ServiceProviderConfig` },
  };
}

const RESOURCE_TYPES = {
  User: { endpoint: "/Users", schema: SCHEMAS.user, description: "A person Okta provisions" },
  Group: { endpoint: "/Groups", schema: SCHEMAS.group, description: "A group Okta pushes" },
} as const;

export function resourceType(name: keyof typeof RESOURCE_TYPES, base: string) {
  const t = RESOURCE_TYPES[name];
  return {
    schemas: [SCHEMAS.resourceType],
    id: name,
    name,
    endpoint: t.endpoint,
    description: t.description,
    schema: t.schema,
    meta: { resourceType: "ResourceType", location: `${base}/ResourceTypes/${name}` },
  };
}

export const isResourceType = (name: string): name is keyof typeof RESOURCE_TYPES =>
  Object.hasOwn(RESOURCE_TYPES, name);

type Attribute = {
  name: string;
  type: "string" | "boolean" | "complex" | "reference";
  multiValued: boolean;
  required: boolean;
  caseExact?: boolean;
  mutability: "readOnly" | "readWrite" | "immutable" | "writeOnly";
  returned: "always" | "default" | "never";
  uniqueness?: "none" | "server";
  subAttributes?: Attribute[];
};
const attr = (name: string, more: Partial<Attribute> = {}): Attribute => ({
  name,
  type: "string",
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: "readWrite",
  returned: "default",
  uniqueness: "none",
  ...more,
});

const SCHEMA_DEFINITIONS = {
  [SCHEMAS.user]: {
    name: "User",
    description: "A person, as porter stores them",
    attributes: [
      attr("userName", { required: true, uniqueness: "server" }),
      attr("externalId", { caseExact: true }),
      attr("name", {
        type: "complex",
        subAttributes: [attr("givenName"), attr("familyName"), attr("formatted")],
      }),
      attr("displayName"),
      attr("emails", {
        type: "complex",
        multiValued: true,
        subAttributes: [attr("value"), attr("type"), attr("primary", { type: "boolean" })],
      }),
      attr("locale"),
      attr("active", { type: "boolean" }),
      attr("password", { mutability: "writeOnly", returned: "never" }),
      attr("groups", {
        type: "complex",
        multiValued: true,
        mutability: "readOnly",
        subAttributes: [attr("value", { mutability: "readOnly" }), attr("display", { mutability: "readOnly" })],
      }),
    ],
  },
  [SCHEMAS.group]: {
    name: "Group",
    description: "A group Okta pushes (Push Groups)",
    attributes: [
      attr("displayName", { required: true, uniqueness: "server" }),
      attr("externalId", { caseExact: true }),
      attr("members", {
        type: "complex",
        multiValued: true,
        subAttributes: [attr("value", { mutability: "immutable" }), attr("display", { mutability: "readOnly" })],
      }),
    ],
  },
} as const;

export function schemaDefinition(urn: string, base: string) {
  if (!Object.hasOwn(SCHEMA_DEFINITIONS, urn)) return null;
  const s = SCHEMA_DEFINITIONS[urn as keyof typeof SCHEMA_DEFINITIONS];
  return {
    schemas: [SCHEMAS.schema],
    id: urn,
    ...s,
    meta: { resourceType: "Schema", location: `${base}/Schemas/${urn}` },
  };
}

export const SCHEMA_URNS = Object.keys(SCHEMA_DEFINITIONS);
