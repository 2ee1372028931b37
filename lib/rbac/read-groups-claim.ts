/** Okta's cap on the groups claim: at exactly this size the claim may have been cut short. */
export const OKTA_GROUPS_CLAIM_CAP = 100;
/** Bounds for hostile or broken claims: more entries or longer names are dropped, never processed. */
export const MAX_GROUP_ENTRIES = 10_000;
export const MAX_GROUP_NAME_LENGTH = 255;

export type GroupsClaimProblem = "missing" | "not_an_array" | "non_string_items" | "names_too_long" | "too_many_entries";

export interface GroupsClaim {
  /** Distinct, well-formed group names in claim order. */
  groups: string[];
  /** How many entries the claim carried (before any cleaning). */
  rawCount: number;
  /** True when the claim has exactly Okta's cap: it may be truncated. */
  possiblyTruncated: boolean;
  problems: GroupsClaimProblem[];
}

/** Reads a groups claim of unknown shape without ever throwing. */
export function readGroupsClaim(value: unknown): GroupsClaim {
  if (value === undefined || value === null) return { groups: [], rawCount: 0, possiblyTruncated: false, problems: ["missing"] };
  if (!Array.isArray(value)) return { groups: [], rawCount: 0, possiblyTruncated: false, problems: ["not_an_array"] };
  const problems = new Set<GroupsClaimProblem>();
  const items: unknown[] = value;
  if (items.length > MAX_GROUP_ENTRIES) problems.add("too_many_entries");
  const seen = new Set<string>();
  const groups: string[] = [];
  const end = Math.min(items.length, MAX_GROUP_ENTRIES);
  for (let i = 0; i < end; i++) {
    const item = items[i];
    if (typeof item !== "string" || item.length === 0) {
      problems.add("non_string_items");
    } else if (item.length > MAX_GROUP_NAME_LENGTH) {
      problems.add("names_too_long");
    } else if (!seen.has(item)) {
      seen.add(item);
      groups.push(item);
    }
  }
  return {
    groups,
    rawCount: items.length,
    possiblyTruncated: items.length === OKTA_GROUPS_CLAIM_CAP,
    problems: [...problems],
  };
}
