import { compileRegex, type CompiledRegex } from "./compile-regex";

export interface GroupsFilterSpec {
  allow: string;
  block?: string | undefined;
}

export interface GroupsFilter {
  keep(group: string): boolean;
}

/** Builds the app-side filter (allow regex, optional block regex). Throws on a pattern RE2 refuses. */
export function compileGroupsFilter(spec: GroupsFilterSpec): GroupsFilter {
  const allow = mustCompile(spec.allow, "allow");
  const block = spec.block ? mustCompile(spec.block, "block") : null;
  return { keep: (group) => allow.matches(group) && !(block?.matches(group) ?? false) };
}

function mustCompile(source: string, which: string): CompiledRegex {
  const result = compileRegex(source);
  if (!result.ok) throw new Error(`groups ${which} filter ${JSON.stringify(source)} is invalid: ${result.reason}`);
  return result.regex;
}

export function filterGroups(groups: readonly string[], filter: GroupsFilter): string[] {
  return groups.filter((g) => filter.keep(g));
}
