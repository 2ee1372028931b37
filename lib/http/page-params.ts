/** A page's searchParams as Next.js hands them over. */
export type PageParams = Record<string, string | string[] | undefined>;

/** One query parameter as a string (a repeated one counts as absent), cut to `max` characters when given. */
export function oneParam(value: string | string[] | undefined, max?: number): string | undefined {
  if (typeof value !== "string") return undefined;
  return max === undefined ? value : value.slice(0, max);
}

/** The listed parameters that are set (non-empty), cut to `max`: for links that keep a page's filters. */
export function keptParams(params: PageParams, keys: readonly string[], max: number): URLSearchParams {
  const kept = new URLSearchParams();
  for (const key of keys) {
    const value = oneParam(params[key], max);
    if (value) kept.set(key, value);
  }
  return kept;
}
