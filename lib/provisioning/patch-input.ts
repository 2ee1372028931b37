import { z } from "zod";
import { scimError } from "./errors";
import { SCHEMAS } from "./resources";

export interface PatchOperation {
  op: "add" | "remove" | "replace";
  path?: string;
  value?: unknown;
}

const MAX_OPERATIONS = 1000;
const patchBody = z.looseObject({
  schemas: z.array(z.string()).optional(),
  Operations: z.array(
    z.looseObject({ op: z.unknown().optional(), path: z.unknown().optional(), value: z.unknown().optional() }),
    {
      error: "Operations must be a list",
    },
  ),
});

/** The root attribute a path names ("name" of "name.givenName", "emails" of `emails[type eq "work"].value`). */
export function rootAttribute(path: string, schemaUrn: string): string {
  const bare = path.toLowerCase().startsWith(`${schemaUrn.toLowerCase()}:`) ? path.slice(schemaUrn.length + 1) : path;
  return /^[A-Za-z$][A-Za-z0-9$_-]*/.exec(bare)?.[0] ?? "";
}

/**
 * A PatchOp body (RFC 7644 §3.5.2), checked before anything is applied: the PatchOp schema, 1 to 1,000
 * operations, `op` add/remove/replace in any case (other IdPs write "Replace"), `path` a string naming one
 * of `attributes` (case-insensitive), `value` present where the op needs it. Ops come back lower-cased.
 */
export function readPatchOperations(
  body: unknown,
  attributes: readonly string[],
  schemaUrn: string = SCHEMAS.user,
): PatchOperation[] {
  const parsed = patchBody.safeParse(body);
  if (!parsed.success)
    throw scimError(
      "invalidSyntax",
      'The body must be a PatchOp: {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [...]}.',
    );
  if (parsed.data.schemas && !parsed.data.schemas.includes(SCHEMAS.patch))
    throw scimError("invalidSyntax", `schemas must include ${SCHEMAS.patch}.`);
  const ops = parsed.data.Operations;
  if (ops.length === 0 || ops.length > MAX_OPERATIONS)
    throw scimError(
      "invalidSyntax",
      `A PATCH has 1 to ${String(MAX_OPERATIONS)} Operations (got ${String(ops.length)}).`,
    );
  const known = new Map(attributes.map((a) => [a.toLowerCase(), a]));
  return ops.map((o, i) => {
    const op = typeof o.op === "string" ? o.op.toLowerCase() : "";
    if (op !== "add" && op !== "remove" && op !== "replace")
      throw scimError(
        "invalidSyntax",
        `Operations[${String(i)}].op must be add, remove or replace (got ${JSON.stringify(o.op)?.slice(0, 40) ?? "nothing"}).`,
      );
    if (o.path !== undefined && o.path !== null && typeof o.path !== "string")
      throw scimError("invalidPath", `Operations[${String(i)}].path must be a string.`);
    const path = typeof o.path === "string" && o.path.trim() !== "" ? o.path.trim() : undefined;
    if (path !== undefined) {
      if (path.length > 500)
        throw scimError("invalidPath", `Operations[${String(i)}].path is longer than 500 characters.`);
      const root = rootAttribute(path, schemaUrn);
      if (!known.has(root.toLowerCase()) || /__proto__|constructor|prototype/.test(path))
        throw scimError(
          "invalidPath",
          `Operations[${String(i)}].path "${path.slice(0, 100)}" names no attribute porter stores (${attributes.join(", ")}).`,
        );
    }
    if (op === "remove" && path === undefined)
      throw scimError("noTarget", `Operations[${String(i)}]: remove needs a path.`);
    if (op !== "remove" && o.value === undefined)
      throw scimError("invalidValue", `Operations[${String(i)}]: ${op} needs a value.`);
    if (path === undefined) {
      if (typeof o.value !== "object" || o.value === null || Array.isArray(o.value))
        throw scimError(
          "invalidValue",
          `Operations[${String(i)}]: without a path, value must be an object of attributes.`,
        );
      for (const key of Object.keys(o.value))
        if (!known.has(rootAttribute(key, schemaUrn).toLowerCase()) && key !== "id" && key !== "schemas")
          throw scimError(
            "invalidPath",
            `Operations[${String(i)}].value names "${key.slice(0, 100)}", which porter does not store (${attributes.join(", ")}).`,
          );
    }
    return { op, ...(path !== undefined ? { path } : {}), ...(o.value !== undefined ? { value: o.value } : {}) };
  });
}
