import { parse, type Filter } from "scim2-parse-filter";
import { scimError } from "./errors";
import { MAX_RESULTS } from "./resources";

/** An equality on one attribute porter can filter on, or an and/or of them. */
export type Condition = { attribute: string; value: string } | { op: "and" | "or"; conditions: Condition[] };

/** Longest filter accepted: Okta's are under 200 characters. */
export const MAX_FILTER_LENGTH = 1000;
const MAX_TERMS = 50;

/**
 * Reads a SCIM `filter` as Okta sends it (`userName eq "x"`, `externalId eq "…"`, `displayName eq "…"`,
 * and/or of those). Anything else is `400 invalidFilter` naming what porter supports.
 *
 * The parsing is scim2-parse-filter's (the parser scim-patch uses); porter bounds its input first: its
 * tokenizer's quoted-string pattern backtracks exponentially on line breaks and it copies the rest of the
 * string per token, so a filter is at most MAX_FILTER_LENGTH characters with no control characters.
 * `attributes` maps the accepted names (case-insensitive, with or without the schema URN) to their own.
 */
export function parseScimFilter(text: string, attributes: readonly string[], schemaUrn: string): Condition {
  const supported = `porter filters with eq on ${attributes.join(", ")}, joined by and/or (for example userName eq "ada@example.com")`;
  if (text.length > MAX_FILTER_LENGTH)
    throw scimError(
      "invalidFilter",
      `The filter is longer than ${String(MAX_FILTER_LENGTH)} characters; ${supported}.`,
    );
  if (/[\u0000-\u001f\u007f]/.test(text))
    throw scimError("invalidFilter", `The filter contains control characters; ${supported}.`);
  let ast: Filter;
  try {
    ast = parse(text);
  } catch {
    throw scimError("invalidFilter", `The filter cannot be parsed; ${supported}.`);
  }
  let terms = 0;
  const byLower = new Map(attributes.map((a) => [a.toLowerCase(), a]));
  const urnPrefix = `${schemaUrn.toLowerCase()}:`;
  const walk = (node: Filter): Condition => {
    if (++terms > MAX_TERMS) throw scimError("invalidFilter", `The filter has more than ${String(MAX_TERMS)} terms.`);
    if (node.op === "and" || node.op === "or") return { op: node.op, conditions: node.filters.map(walk) };
    if (node.op !== "eq") throw scimError("invalidFilter", `The operator "${node.op}" is not supported; ${supported}.`);
    const path = node.attrPath.toLowerCase();
    const attribute = byLower.get(path.startsWith(urnPrefix) ? path.slice(urnPrefix.length) : path);
    if (!attribute)
      throw scimError("invalidFilter", `Filtering on "${node.attrPath.slice(0, 100)}" is not supported; ${supported}.`);
    if (typeof node.compValue !== "string")
      throw scimError("invalidFilter", `${attribute} is compared with a string in quotes; ${supported}.`);
    return { attribute, value: node.compValue };
  };
  return walk(ast);
}

export interface Paging {
  startIndex: number;
  count: number;
}

/**
 * `startIndex` and `count` (RFC 7644 §3.4.2.4): 1-based; below 1 is read as 1; a negative count as 0 (only
 * totalResults); more than MAX_RESULTS as MAX_RESULTS. Not an integer: 400 invalidValue.
 */
export function parsePaging(params: URLSearchParams): Paging {
  const integer = (name: string, fallback: number): number => {
    const raw = params.get(name);
    if (raw === null || raw.trim() === "") return fallback;
    if (!/^[+-]?\d{1,15}$/.test(raw.trim()))
      throw scimError("invalidValue", `${name} must be an integer (got "${raw.slice(0, 20)}").`);
    return Number(raw.trim());
  };
  return {
    startIndex: Math.max(1, integer("startIndex", 1)),
    count: Math.min(MAX_RESULTS, Math.max(0, integer("count", 100))),
  };
}
