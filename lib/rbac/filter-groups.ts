import { compileRegex, type CompiledRegex } from "./compile-regex";

export interface GroupsFilterSpec {
  allow: string;
  block?: string | undefined;
}

export interface GroupsFilter {
  keep(group: string): boolean;
}

const MEMO_LIMIT = 50_000;

/** Builds the app-side filter (allow regex, optional block regex), memoised per group name. Throws on a pattern RE2 refuses. */
export function compileGroupsFilter(spec: GroupsFilterSpec): GroupsFilter {
  const allow = mustCompile(spec.allow, "allow");
  const block = spec.block ? mustCompile(spec.block, "block") : null;
  const memo = new Map<string, boolean>();
  return {
    keep(group) {
      let kept = memo.get(group);
      if (kept === undefined) {
        kept = allow.matches(group) && !(block?.matches(group) ?? false);
        if (memo.size >= MEMO_LIMIT) memo.clear();
        memo.set(group, kept);
      }
      return kept;
    },
  };
}

function mustCompile(source: string, which: string): CompiledRegex {
  const result = compileRegex(source);
  if (!result.ok) throw new Error(`groups ${which} filter ${JSON.stringify(source)} is invalid: ${result.reason}`);
  return result.regex;
}

export function filterGroups(groups: readonly string[], filter: GroupsFilter): string[] {
  return groups.filter((g) => filter.keep(g));
}
