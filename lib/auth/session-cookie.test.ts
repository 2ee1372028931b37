import { encode } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
import { sessionIdOf } from "./session-cookie";

const SECRET = "tB4q9Lw2Xz7Kd1Rm6Pv0Ns3Hj8Gc5Fy2";
const NAME = "authjs.session-token";
const cookie = (sid: string, maxAge = 3600) => encode({ token: { sid }, secret: SECRET, salt: NAME, maxAge });

describe("the session cookie", () => {
  it("gives the session id it carries, every time", async () => {
    const raw = await cookie("sid-1");
    expect(await sessionIdOf(raw, SECRET, NAME)).toBe("sid-1");
    expect(await sessionIdOf(raw, SECRET, NAME)).toBe("sid-1");
  });

  it("refuses a cookie changed by one character, sealed under another secret or name, or expired", async () => {
    const raw = await cookie("sid-2");
    const i = Math.floor(raw.length / 2);
    const flipped = `${raw.slice(0, i)}${raw[i] === "A" ? "B" : "A"}${raw.slice(i + 1)}`;
    expect(await sessionIdOf(flipped, SECRET, NAME)).toBeNull();
    expect(await sessionIdOf(await cookie("sid-3"), "another-secret-another-secret-00", NAME)).toBeNull();
    expect(await sessionIdOf(await cookie("sid-4"), SECRET, "__Secure-authjs.session-token")).toBeNull();
    expect(await sessionIdOf(await cookie("sid-5", -60), SECRET, NAME)).toBeNull();
    expect(await sessionIdOf("not a cookie", SECRET, NAME)).toBeNull();
  });
});
