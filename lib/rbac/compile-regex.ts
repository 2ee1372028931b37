import { RE2JS, RE2JSSyntaxException } from "re2js";

export type CompiledRegex = { readonly source: string; matches(input: string): boolean };

/** `position` is 1-based, when the offending part of the pattern can be located. */
export type RegexResult = { ok: true; regex: CompiledRegex } | { ok: false; reason: string; position?: number };

const UNSUPPORTED: readonly { find: RegExp; reason: string }[] = [
  {
    find: /\(\?<?[=!]/,
    reason: "look-ahead and look-behind ((?=, (?!, (?<=, (?<!) are not supported: they cannot run in linear time",
  },
  { find: /\\[1-9]/, reason: "back-references (\\1 ... \\9) are not supported: they cannot run in linear time" },
];

/**
 * Compiles an admin-supplied pattern with RE2 (linear time, whatever the input). Matching is whole-string,
 * like Okta's "Matches regex" filter. Patterns RE2 cannot run are refused with a reason a person can act on.
 */
export function compileRegex(source: string): RegexResult {
  for (const { find, reason } of UNSUPPORTED) {
    const hit = find.exec(source);
    if (hit) return { ok: false, reason, position: hit.index + 1 };
  }
  try {
    const re = RE2JS.compile(source);
    return { ok: true, regex: { source, matches: (input) => re.matches(input) } };
  } catch (err) {
    if (err instanceof RE2JSSyntaxException) {
      // An unclosed group or class is reported at the end of the pattern, where the closing bracket is missing.
      if (err.error?.startsWith("missing closing"))
        return { ok: false, reason: err.message, position: source.length + 1 };
      const at = err.input ? source.indexOf(err.input) : -1;
      return at >= 0 ? { ok: false, reason: err.message, position: at + 1 } : { ok: false, reason: err.message };
    }
    throw err;
  }
}
