import { describe, expect, it } from "vitest";
import { parseTrustedProxies } from "../config/trusted-proxies";
import { clientIp } from "./client-ip";

const headers = (h: Record<string, string>) => new Headers(h);
const proxies = (v: string | undefined) => {
  const p = parseTrustedProxies(v);
  if (typeof p === "string") throw new Error(p);
  return p;
};

describe("client address", () => {
  it("without TRUSTED_PROXIES: the socket peer; X-Forwarded-For is ignored, however it is rotated", () => {
    for (const xff of ["198.51.100.1", "1.1.1.1, 2.2.2.2", "garbage"]) {
      expect(
        clientIp(headers({ "x-porter-peer": "::ffff:203.0.113.9", "x-forwarded-for": xff }), proxies(undefined)),
      ).toBe("203.0.113.9");
    }
    // Not behind porter's server: unknown, never the client's claim.
    expect(clientIp(headers({ "x-forwarded-for": "198.51.100.1" }), proxies(undefined))).toBeNull();
  });

  it("a hop count takes the address that many hops back; a list skips trusted proxies from the right", () => {
    const h = headers({ "x-porter-peer": "10.0.0.5", "x-forwarded-for": "6.6.6.6, 198.51.100.7, 10.0.0.9" });
    expect(clientIp(h, proxies("1"))).toBe("10.0.0.9");
    expect(clientIp(h, proxies("2"))).toBe("198.51.100.7");
    expect(clientIp(h, proxies("10.0.0.0/8"))).toBe("198.51.100.7");
    // A client prepending its own entries cannot get past the nearest untrusted hop.
    expect(clientIp(h, proxies("10.0.0.0/8, ::1"))).toBe("198.51.100.7");
    expect(
      clientIp(headers({ "x-porter-peer": "192.0.2.1", "x-forwarded-for": "6.6.6.6" }), proxies("10.0.0.0/8")),
    ).toBe("192.0.2.1");
  });

  it("refuses a TRUSTED_PROXIES that is neither a hop count nor addresses", () => {
    expect(parseTrustedProxies("11")).toMatch(/hop count from 0 to 10/);
    expect(parseTrustedProxies("10.0.0.0/33")).toMatch(/not an IP address or CIDR/);
    expect(parseTrustedProxies("proxy.internal")).toMatch(/not an IP address or CIDR/);
  });
});
