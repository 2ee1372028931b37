import { describe, expect, it } from "vitest";
import { isLoopbackHost } from "./host";

describe("devidp's Host check (DNS rebinding)", () => {
  it.each(["localhost:4000", "LOCALHOST", "127.0.0.1:4000", "[::1]:4000", "127.0.0.2", "localhost."])(
    "accepts %s",
    (host) => {
      expect(isLoopbackHost(host, "http://localhost:4000")).toBe(true);
    },
  );
  it.each(["evil.example:4000", "localhost.evil.example", "127.0.0.1.nip.io", "", undefined, "10.0.0.1"])(
    "refuses %s",
    (host) => {
      expect(isLoopbackHost(host, "http://localhost:4000")).toBe(false);
    },
  );
});
