import { readFile } from "node:fs/promises";
import { z } from "zod";
import { SERVICE_LIFECYCLES } from "../db/schema/catalog";
import {
  checkCustomRole,
  checkMatcher,
  roleExists,
  RULE_MATCHES,
  RbacError,
  type CustomRole,
  type Permission,
} from "../rbac";

export const SERVICE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

const seedSchema = z.strictObject({
  $comment: z.string().optional(),
  defaultRole: z.string().nullable().default(null),
  roles: z
    .array(
      z.strictObject({
        name: z.string(),
        description: z.string().max(200).default(""),
        permissions: z.array(z.string()),
      }),
    )
    .default([]),
  rules: z.array(z.strictObject({ match: z.enum(RULE_MATCHES), pattern: z.string(), role: z.string() })).default([]),
  services: z
    .array(
      z.strictObject({
        name: z.string().regex(SERVICE_NAME),
        description: z.string().max(500).default(""),
        lifecycle: z.enum(SERVICE_LIFECYCLES).default("experimental"),
        ownerTeam: z.string().min(1).max(255),
      }),
    )
    .default([]),
});

/** Rules as code: what a new organization starts with. Applied once, then the console is the source of truth. */
export interface Seed {
  defaultRole: string | null;
  roles: CustomRole[];
  rules: { match: (typeof RULE_MATCHES)[number]; pattern: string; role: string }[];
  services: { name: string; description: string; lifecycle: (typeof SERVICE_LIFECYCLES)[number]; ownerTeam: string }[];
}

/** Parses and checks a seed document with the same checks the console applies; every problem is listed at once. */
export function parseSeed(text: string, source: string): Seed {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw seedError(source, [`not valid JSON (${(err as Error).message})`]);
  }
  const parsed = seedSchema.safeParse(json);
  if (!parsed.success)
    throw seedError(
      source,
      parsed.error.issues.map((i) => `${i.path.join(".") || "document"}: ${i.message}`),
    );
  const seed = parsed.data;
  const problems: string[] = [];
  const roles: CustomRole[] = [];
  seed.roles.forEach((role, i) => {
    const check = checkCustomRole(role, roles);
    if (!check.ok) problems.push(`roles.${String(i)} (${role.name}): ${check.reason}`);
    else roles.push({ name: role.name, description: role.description, permissions: role.permissions as Permission[] });
  });
  seed.rules.forEach((rule, i) => {
    const check = checkMatcher(rule.match, rule.pattern);
    if (!check.ok) problems.push(`rules.${String(i)} (${rule.pattern}): ${check.reason}`);
    if (!roleExists(rule.role, roles))
      problems.push(`rules.${String(i)}: role "${rule.role}" is neither built in nor defined under "roles"`);
  });
  if (seed.defaultRole !== null && !roleExists(seed.defaultRole, roles))
    problems.push(`defaultRole: role "${seed.defaultRole}" does not exist`);
  if (seed.defaultRole === "admin")
    problems.push("defaultRole: admin cannot be the default role (everyone would be admin)");
  const names = new Set<string>();
  seed.services.forEach((s, i) => {
    if (names.has(s.name)) problems.push(`services.${String(i)}: duplicate name "${s.name}"`);
    names.add(s.name);
  });
  if (problems.length > 0) throw seedError(source, problems);
  return { defaultRole: seed.defaultRole, roles, rules: seed.rules, services: seed.services };
}

export async function readSeedFile(path: string): Promise<Seed> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw seedError(path, [`cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`]);
  }
  return parseSeed(text, path);
}

function seedError(source: string, problems: string[]): RbacError {
  const message = `Seed file ${source} is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`;
  return new RbacError({ code: "invalid_seed", message, userMessage: message });
}
