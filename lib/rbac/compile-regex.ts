import { RE2JS, RE2JSSyntaxException } from "re2js";

export type CompiledRegex = { readonly source: string; matches(input: string): boolean };

export type RegexResult = { ok: true; regex: CompiledRegex } | { ok: false; reason: string };

/**
 * Compiles an admin-supplied pattern with RE2 (linear time, whatever the input). Matching is whole-string,
 * like Okta's "Matches regex" filter. Patterns RE2 cannot run are refused with a reason a person can act on.
 */
export function compileRegex(source: string): RegexResult {
  if (/\(\?<?[=!]/.test(source)) {
    return { ok: false, reason: "look-ahead and look-behind ((?=, (?!, (?<=, (?<!) are not supported: they cannot run in linear time" };
  }
  if (/\\[1-9]/.test(source)) {
    return { ok: false, reason: "back-references (\\1 ... \\9) are not supported: they cannot run in linear time" };
  }
  try {
    const re = RE2JS.compile(source);
    return { ok: true, regex: { source, matches: (input) => re.matches(input) } };
  } catch (err) {
    if (err instanceof RE2JSSyntaxException) return { ok: false, reason: err.message };
    throw err;
  }
}
