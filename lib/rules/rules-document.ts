import { isMap, isSeq, LineCounter, parseDocument, stringify as toYaml, type Node } from "yaml";
import { z } from "zod";
import { checkState, RULE_MATCHES, RbacError, type Permission, type RulesState } from "../rbac";
import type { OrganizationRules } from "../organizations/queries";

/** At most this many rules in one document: more is refused, never half-read. */
export const MAX_DOCUMENT_RULES = 5_000;
/** Bytes of a document the console and the CLI read. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;

const documentSchema = z.strictObject({
  $comment: z.string().max(1000).optional(),
  /** The format of this document (1). */
  version: z.literal(1).optional(),
  organization: z.string().max(100).optional(),
  defaultRole: z.string().max(100).nullable().default(null),
  /** porter's groups filter (RE2, whole name); null or absent: the connection's configured one. */
  groupsFilter: z
    .strictObject({
      allow: z.string().max(1000, "is too long: a pattern has at most 1000 characters"),
      block: z.string().max(1000, "is too long: a pattern has at most 1000 characters").nullable().default(null),
    })
    .nullable()
    .default(null),
  roles: z
    .array(
      z.strictObject({
        name: z.string().max(100),
        description: z.string().max(200).default(""),
        permissions: z.array(z.string().max(100)).max(20),
      }),
    )
    .max(200)
    .default([]),
  rules: z
    .array(
      z.strictObject({
        match: z.enum(RULE_MATCHES),
        pattern: z.string().max(1000, "is too long: a pattern has at most 1000 characters"),
        role: z.string().max(100),
      }),
    )
    .max(
      MAX_DOCUMENT_RULES,
      `has more than ${String(MAX_DOCUMENT_RULES)} rules: split the groups claim filter or use regex rules`,
    )
    .default([]),
});

/**
 * Rules as code: reads a YAML or JSON document (YAML 1.2 reads both) of rules, custom roles and the
 * default role. Every problem is reported at once with its field and line: unknown fields, wrong types,
 * duplicate rules, matchers that are not RE2, unknown roles. Nothing is applied here.
 */
export function parseRulesDocument(text: string, source: string): RulesState {
  if (Buffer.byteLength(text) > MAX_DOCUMENT_BYTES)
    throw invalid(source, [`is larger than ${String(MAX_DOCUMENT_BYTES / 1024)} KB`]);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) =>
    offset === undefined ? "" : ` (line ${String(lines.linePos(offset).line)})`;
  if (doc.errors.length > 0)
    throw invalid(
      source,
      doc.errors.slice(0, 20).map((e) => `${e.message.split("\n")[0] ?? "cannot be parsed"}${at(e.pos[0])}`),
    );
  const parsed = documentSchema.safeParse(doc.toJS({ maxAliasCount: 100 }));
  if (!parsed.success) {
    throw invalid(
      source,
      parsed.error.issues.slice(0, 50).map((issue) => {
        const path = issue.path as (string | number)[];
        const node = doc.getIn(path, true) as Node | undefined;
        const range = node && (isMap(node) || isSeq(node) || "range" in node) ? node.range?.[0] : undefined;
        const where =
          path
            .map((p) => (typeof p === "number" ? `[${String(p)}]` : `.${p}`))
            .join("")
            .replace(/^\./, "") || "document";
        const unknown = issue.code === "unrecognized_keys" ? `: unknown field(s) ${issue.keys.join(", ")}` : "";
        return `${where}${at(range)}: ${issue.message}${unknown}`;
      }),
    );
  }
  const state: RulesState = {
    defaultRole: parsed.data.defaultRole,
    groupsFilter: parsed.data.groupsFilter,
    customRoles: parsed.data.roles.map((r) => ({
      name: r.name,
      description: r.description,
      permissions: r.permissions as Permission[],
    })),
    rules: parsed.data.rules.map((r) => ({ id: null, ...r })),
  };
  const problems = checkState(state);
  if (problems.length > 0) {
    const lineOf = (problem: string) => {
      const m = /^(rules|roles)\[(\d+)\]/.exec(problem);
      const node = m ? (doc.getIn([m[1] ?? "", Number(m[2])], true) as Node | undefined) : undefined;
      return node?.range ? at(node.range[0]) : "";
    };
    throw invalid(
      source,
      problems.slice(0, 50).map((p) => p.replace(/^((?:rules|roles)\[\d+\])/, (m) => `${m}${lineOf(p)}`)),
    );
  }
  return state;
}

function invalid(source: string, problems: string[]): RbacError {
  const message = `${source} is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`;
  return new RbacError({ code: "invalid_seed", message, userMessage: message });
}

/** The organization's rules as a document to keep in git (YAML, or JSON), in the order the console shows. */
export function formatRulesDocument(organization: string, rules: OrganizationRules, format: "yaml" | "json"): string {
  const doc = {
    version: 1 as const,
    organization,
    defaultRole: rules.defaultRole,
    groupsFilter: rules.groupsFilter,
    roles: rules.customRoles.map((r) => ({
      name: r.name,
      description: r.description,
      permissions: [...r.permissions],
    })),
    rules: rules.rules.map((r) => ({ match: r.match, pattern: r.pattern, role: r.role })),
  };
  if (format === "json") return `${JSON.stringify(doc, null, 2)}\n`;
  return `# porter rules as code for ${organization} (rules version ${String(rules.version)}).\n# Apply with: npm run rbac -- apply FILE --connection ${organization}\n${toYaml(doc)}`;
}
