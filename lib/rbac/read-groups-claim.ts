/** Okta's cap on the groups claim: at exactly this size the claim may have been cut short. */
export const OKTA_GROUPS_CLAIM_CAP = 100;
/** Bounds for hostile or broken claims: more entries or longer names are dropped, never processed. */
export const MAX_GROUP_ENTRIES = 10_000;
export const MAX_GROUP_NAME_LENGTH = 255;

export type GroupsClaimProblem =
  "missing" | "not_an_array" | "non_string_items" | "names_too_long" | "too_many_entries";

export interface GroupsClaim {
  /** Distinct, well-formed group names in claim order. */
  groups: string[];
  /** How many entries the claim carried (before any cleaning). */
  rawCount: number;
  /** True when the claim has exactly Okta's cap: it may be truncated. */
  possiblyTruncated: boolean;
  problems: GroupsClaimProblem[];
}

/** Why one claim entry is not a usable group name, or null when it is (a non-empty string of at most 255 characters). */
export function groupEntryProblem(item: unknown): GroupsClaimProblem | null {
  if (typeof item !== "string" || item.length === 0) return "non_string_items";
  if (item.length > MAX_GROUP_NAME_LENGTH) return "names_too_long";
  return null;
}

/** Reads a groups claim of unknown shape without ever throwing. */
export function readGroupsClaim(value: unknown): GroupsClaim {
  if (value === undefined || value === null)
    return { groups: [], rawCount: 0, possiblyTruncated: false, problems: ["missing"] };
  if (!Array.isArray(value)) return { groups: [], rawCount: 0, possiblyTruncated: false, problems: ["not_an_array"] };
  const problems = new Set<GroupsClaimProblem>();
  const items: unknown[] = value;
  if (items.length > MAX_GROUP_ENTRIES) problems.add("too_many_entries");
  const seen = new Set<string>();
  const groups: string[] = [];
  const end = Math.min(items.length, MAX_GROUP_ENTRIES);
  for (let i = 0; i < end; i++) {
    const item = items[i];
    const problem = groupEntryProblem(item);
    if (problem) {
      problems.add(problem);
    } else if (!seen.has(item as string)) {
      seen.add(item as string);
      groups.push(item as string);
    }
  }
  return {
    groups,
    rawCount: items.length,
    possiblyTruncated: items.length === OKTA_GROUPS_CLAIM_CAP,
    problems: [...problems],
  };
}
