import { describe, expect, it } from "vitest";
import { seal, unseal } from "./seal";

const secret = "s".repeat(32);
const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIwMHUxIn0.sig";

describe("tokens at rest (review finding 12)", () => {
  it("are stored encrypted, open only with the same secret, and a changed value is refused", () => {
    const sealed = seal(secret, token, "session a id_token");
    expect(sealed).not.toContain(token);
    expect(sealed).not.toContain("eyJ");
    expect(unseal(secret, sealed, "session a id_token")).toBe(token);
    expect(unseal("t".repeat(32), sealed, "session a id_token")).toBeNull();
    expect(unseal(secret, `${sealed.slice(0, -2)}AA`, "session a id_token")).toBeNull();
    expect(unseal(secret, token, "session a id_token")).toBeNull();
  });

  it("open only in the context they were sealed for: another session or another column refuses them (second review)", () => {
    const sealed = seal(secret, token, "session a id_token");
    expect(unseal(secret, sealed, "session b id_token")).toBeNull();
    expect(unseal(secret, sealed, "session a refresh_token")).toBeNull();
  });
});
