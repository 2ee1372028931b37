import { describe, expect, it } from "vitest";
import { seal, unseal } from "./seal";

describe("ID tokens at rest (review finding 12)", () => {
  it("are stored encrypted, open only with the same secret, and a changed value is refused", () => {
    const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIwMHUxIn0.sig";
    const sealed = seal("s".repeat(32), token);
    expect(sealed).not.toContain(token);
    expect(sealed).not.toContain("eyJ");
    expect(unseal("s".repeat(32), sealed)).toBe(token);
    expect(unseal("t".repeat(32), sealed)).toBeNull();
    expect(unseal("s".repeat(32), `${sealed.slice(0, -2)}AA`)).toBeNull();
    expect(unseal("s".repeat(32), token)).toBeNull();
  });
});
