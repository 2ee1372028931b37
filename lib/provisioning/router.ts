import { scimError } from "./errors";
import { isResourceType, resourceType, schemaDefinition, SCHEMA_URNS, serviceProviderConfig } from "./discovery";
import { createGroup, deleteGroup, getGroup, listGroups, patchGroup, replaceGroup } from "./groups";
import { parsePaging } from "./query";
import { listResponse } from "./resources";
import type { ScimScope } from "./scope";
import { createUser, deleteUser, getUser, listUsers, patchUser, replaceUser } from "./users";

export type ScimMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** What a SCIM request gets: a status and a resource (none for 204). */
export type ScimAnswer = { status: 200 | 201; body: unknown } | { status: 204 };

const ok = (body: unknown): ScimAnswer => ({ status: 200, body });

function notAllowed(method: ScimMethod, path: string, allowed: string): never {
  throw scimError("methodNotAllowed", `${method} is not supported on ${path}; it accepts ${allowed}.`);
}

/**
 * One SCIM request, after its token was checked: the resource path below the base URL, the query and the
 * parsed body. Every answer is a SCIM resource or a thrown ScimError.
 */
export async function handleScim(
  scope: ScimScope,
  method: ScimMethod,
  segments: readonly string[],
  query: URLSearchParams,
  body: unknown,
): Promise<ScimAnswer> {
  const [resource = "", id, ...rest] = segments;
  const path = `/${segments.join("/")}`;
  if (rest.length > 0) throw scimError("notFound", `No SCIM endpoint at ${path.slice(0, 200)}.`);
  const excluded = (query.get("excludedAttributes") ?? "")
    .toLowerCase()
    .split(",")
    .map((s) => s.trim());
  switch (resource) {
    case "Users":
      if (id === undefined) {
        if (method === "GET") return ok(await listUsers(scope, query.get("filter"), parsePaging(query)));
        if (method === "POST") {
          const created = await createUser(scope, body);
          return { status: created.status, body: created.user };
        }
        return notAllowed(method, path, "GET and POST");
      }
      if (method === "GET") return ok(await getUser(scope, id));
      if (method === "PUT") return ok(await replaceUser(scope, id, body));
      if (method === "PATCH") return ok(await patchUser(scope, id, body));
      if (method === "DELETE") {
        await deleteUser(scope, id);
        return { status: 204 };
      }
      return notAllowed(method, path, "GET, PUT, PATCH and DELETE");
    case "Groups":
      if (id === undefined) {
        if (method === "GET")
          return ok(await listGroups(scope, query.get("filter"), parsePaging(query), !excluded.includes("members")));
        if (method === "POST") return { status: 201, body: await createGroup(scope, body) };
        return notAllowed(method, path, "GET and POST");
      }
      if (method === "GET") return ok(await getGroup(scope, id, !excluded.includes("members")));
      if (method === "PUT") return ok(await replaceGroup(scope, id, body));
      if (method === "PATCH") {
        await patchGroup(scope, id, body);
        return { status: 204 };
      }
      if (method === "DELETE") {
        await deleteGroup(scope, id);
        return { status: 204 };
      }
      return notAllowed(method, path, "GET, PUT, PATCH and DELETE");
    case "ServiceProviderConfig":
      if (method !== "GET") return notAllowed(method, path, "GET");
      if (id !== undefined) break;
      return ok(serviceProviderConfig(scope.base));
    case "ResourceTypes":
      if (method !== "GET") return notAllowed(method, path, "GET");
      if (id === undefined)
        return ok(listResponse(2, 1, [resourceType("User", scope.base), resourceType("Group", scope.base)]));
      if (isResourceType(id)) return ok(resourceType(id, scope.base));
      break;
    case "Schemas": {
      if (method !== "GET") return notAllowed(method, path, "GET");
      if (id === undefined) {
        const all = SCHEMA_URNS.map((urn) => schemaDefinition(urn, scope.base));
        return ok(listResponse(all.length, 1, all));
      }
      const schema = schemaDefinition(id, scope.base);
      if (schema) return ok(schema);
      break;
    }
    default:
      break;
  }
  throw scimError(
    "notFound",
    `No SCIM endpoint at ${path.slice(0, 200)}: porter serves /Users, /Groups, /ServiceProviderConfig, /ResourceTypes and /Schemas.`,
  );
}
