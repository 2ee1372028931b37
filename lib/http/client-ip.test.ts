import { describe, expect, it } from "vitest";
import { parseTrustedProxies } from "../config/trusted-proxies";
import { addressBucket, isPrivateAddress } from "../core/ip-ranges";
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
        clientIp(headers({ "x-forwarded-for": xff }), { peer: "::ffff:203.0.113.9", proxies: proxies(undefined) }),
      ).toBe("203.0.113.9");
    }
  });

  it("takes the peer from porter's server, never from a header a client can send (review finding 4)", () => {
    // Not behind porter's server: unknown, whatever the request claims.
    expect(
      clientIp(headers({ "x-porter-peer": "203.0.113.9" }), { peer: null, proxies: proxies(undefined) }),
    ).toBeNull();
    expect(
      clientIp(headers({ "x-forwarded-for": "198.51.100.1" }), { peer: null, proxies: proxies(undefined) }),
    ).toBeNull();
    // Behind it: the socket's address, the header ignored.
    expect(
      clientIp(headers({ "x-porter-peer": "203.0.113.9" }), { peer: "198.51.100.4", proxies: proxies(undefined) }),
    ).toBe("198.51.100.4");
  });

  it("trusts a hop count's X-Forwarded-For only from a peer on a private or loopback address (review finding 4)", () => {
    const h = headers({ "x-forwarded-for": "6.6.6.6" });
    expect(clientIp(h, { peer: "203.0.113.9", proxies: proxies("1") })).toBe("203.0.113.9");
    expect(clientIp(h, { peer: "10.0.0.5", proxies: proxies("1") })).toBe("6.6.6.6");
    expect(clientIp(h, { peer: "::1", proxies: proxies("1") })).toBe("6.6.6.6");
  });

  it("a hop count takes the address that many hops back; a list skips trusted proxies from the right", () => {
    const h = headers({ "x-forwarded-for": "6.6.6.6, 198.51.100.7, 10.0.0.9" });
    const peer = "10.0.0.5";
    expect(clientIp(h, { peer, proxies: proxies("1") })).toBe("10.0.0.9");
    expect(clientIp(h, { peer, proxies: proxies("2") })).toBe("198.51.100.7");
    expect(clientIp(h, { peer, proxies: proxies("10.0.0.0/8") })).toBe("198.51.100.7");
    // A client prepending its own entries cannot get past the nearest untrusted hop.
    expect(clientIp(h, { peer, proxies: proxies("10.0.0.0/8, ::1") })).toBe("198.51.100.7");
    expect(
      clientIp(headers({ "x-forwarded-for": "6.6.6.6" }), { peer: "192.0.2.1", proxies: proxies("10.0.0.0/8") }),
    ).toBe("192.0.2.1");
  });

  it("refuses a TRUSTED_PROXIES that is neither a hop count nor addresses", () => {
    expect(parseTrustedProxies("11")).toMatch(/hop count from 0 to 10/);
    expect(parseTrustedProxies("10.0.0.0/33")).toMatch(/not an IP address or CIDR/);
    expect(parseTrustedProxies("proxy.internal")).toMatch(/not an IP address or CIDR/);
  });
});

describe("address buckets for rate limits (review finding 2)", () => {
  it("counts an IPv6 client per /64 and an IPv4 client per address", () => {
    expect(addressBucket("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
    expect(addressBucket("2001:db8:1:2::1")).toBe(addressBucket("2001:db8:1:2:ffff::9"));
    expect(addressBucket("2001:db8:1:3::1")).not.toBe(addressBucket("2001:db8:1:2::1"));
    expect(addressBucket("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(addressBucket("203.0.113.9")).toBe("203.0.113.9");
  });
});

describe("internal addresses (the configuration check's SSRF guard)", () => {
  it("sees loopback, private and mapped forms however they are written", () => {
    for (const ip of [
      "127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:127.0.0.1",
      "10.1.2.3",
      "192.168.0.1",
      "::1",
      "fd00::1",
      "fe80::1",
      "64:ff9b::7f00:1",
      "198.18.0.1",
      "100.64.0.1",
      "0.0.0.0",
    ])
      expect([ip, isPrivateAddress(ip)]).toEqual([ip, true]);
    for (const ip of ["8.8.8.8", "2001:4860:4860::8888", "203.0.113.9"])
      expect([ip, isPrivateAddress(ip)]).toEqual([ip, false]);
  });
});
