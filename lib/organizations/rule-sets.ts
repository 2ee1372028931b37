import { compileRuleSet, type CompiledRuleSet } from "../rbac";
import type { Organization } from "./organizations";
import { getOrganizationRules, getRulesVersion, toRuleSetSpec, type Queryable, type RuleDefaults } from "./queries";

/** How long a compiled rule set is trusted before its version is checked again (other nodes' changes). */
const RECHECK_MS = 2_000;

interface Entry {
  version: number;
  compiled: CompiledRuleSet;
  checkedAt: number;
  defaults: string;
}

const globalKey = Symbol.for("porter.ruleSets");
type WithCache = typeof globalThis & { [globalKey]?: Map<string, Entry> };
const cache = ((globalThis as WithCache)[globalKey] ??= new Map<string, Entry>());

/**
 * The organization's compiled rule set (rules, roles, default role, break-glass groups and groups
 * filter). Compiled once per rules version; the version is re-read at most every 2 s, so a change made
 * on another node applies within that time (on this node: at once).
 */
export async function getCompiledRuleSet(
  db: Queryable,
  organizationId: string,
  defaults: RuleDefaults,
  options: { current?: boolean } = {},
): Promise<CompiledRuleSet> {
  const now = Date.now();
  const key = JSON.stringify([defaults.adminGroups, defaults.groupsAllow ?? null, defaults.groupsBlock ?? null]);
  const entry = cache.get(organizationId);
  if (entry && entry.defaults === key && !options.current && now - entry.checkedAt < RECHECK_MS) return entry.compiled;
  const version = await getRulesVersion(db, organizationId);
  if (version === null) throw new Error(`organization ${organizationId} does not exist`);
  if (entry && entry.defaults === key && entry.version === version) {
    entry.checkedAt = now;
    return entry.compiled;
  }
  const compiled = compileRuleSet(toRuleSetSpec(await getOrganizationRules(db, organizationId), defaults));
  cache.set(organizationId, { version: compiled.version, compiled, checkedAt: now, defaults: key });
  return compiled;
}

/**
 * The organization's compiled rule set: its stored rules with its connection's break-glass groups and filter.
 * `current`: the version is read now (one statement), not trusted for 2 s: for a writer under
 * lockGroupWrites, which must not write roles from rules a change on another node just replaced.
 */
export function ruleSetFor(
  db: Queryable,
  organization: Organization,
  options: { current?: boolean } = {},
): Promise<CompiledRuleSet> {
  return getCompiledRuleSet(db, organization.id, organization.defaults, options);
}

/** Forgets the cached rule set after a change on this node. */
export function forgetRuleSet(organizationId: string): void {
  cache.delete(organizationId);
}
