import { describe, expect, it } from "vitest";
import { isSameOriginRequest } from "./same-origin";

const APP = "https://porter.eu.example.com";
const h = (init: Record<string, string>) => new Headers(init);

describe("same-origin check for state-changing route handlers (review finding 5)", () => {
  it("refuses a sibling host and a cross-site form, accepts porter's own pages and non-browser clients", () => {
    expect(
      isSameOriginRequest(h({ "sec-fetch-site": "same-site", origin: "https://porter.us.example.com" }), APP),
    ).toBe(false);
    expect(isSameOriginRequest(h({ "sec-fetch-site": "cross-site" }), APP)).toBe(false);
    expect(isSameOriginRequest(h({ origin: "https://evil.example" }), APP)).toBe(false);
    expect(isSameOriginRequest(h({ origin: "null" }), APP)).toBe(false);
    expect(isSameOriginRequest(h({ "sec-fetch-site": "same-origin", origin: APP }), APP)).toBe(true);
    expect(isSameOriginRequest(h({ origin: APP }), APP)).toBe(true);
    expect(isSameOriginRequest(h({}), APP)).toBe(true);
  });
});
