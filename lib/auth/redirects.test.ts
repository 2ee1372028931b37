import { describe, expect, it } from "vitest";
import { toSafeRedirectPath } from "./redirects";

const ORIGIN = "https://porter.eu.example.com";

describe("toSafeRedirectPath", () => {
  it("keeps same-origin paths with query and fragment", () => {
    expect(toSafeRedirectPath("/profile?tab=groups#x", ORIGIN)).toBe("/profile?tab=groups#x");
    expect(toSafeRedirectPath(`${ORIGIN}/services`, ORIGIN)).toBe("/services");
  });

  it.each([
    ["https://evil.example/"],
    ["//evil.example"],
    ["/\\evil.example"],
    ["\\\\evil.example"],
    ["http://%zz"],
    ["javascript:alert(1)"],
    ["https://porter.eu.example.com.evil.example/"],
    ["http://porter.eu.example.com/"],
    ["/\tevil"],
    [""],
    [undefined],
    [42],
    ["/" + "a".repeat(3000)],
  ])("turns %j into /", (input) => {
    expect(toSafeRedirectPath(input, ORIGIN)).toBe("/");
  });

  it("collapses a path that would read as protocol-relative", () => {
    expect(toSafeRedirectPath("/..//evil.example", ORIGIN)).toBe("/evil.example");
  });
});
