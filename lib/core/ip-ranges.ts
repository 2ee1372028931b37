import { BlockList, isIP } from "node:net";

/**
 * Addresses that are not on the public internet: loopback, private (RFC 1918, IPv6 ULA), link-local,
 * carrier-grade NAT, unspecified, benchmarking (198.18.0.0/15), and the IPv6 forms that reach them
 * (IPv4-mapped in any notation, NAT64 64:ff9b::/96). Node's BlockList compares numbers, not spellings,
 * so "::ffff:7f00:1" is 127.0.0.1 too.
 */
const internal = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
] as const)
  internal.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
] as const)
  internal.addSubnet(net, bits, "ipv6");

/** An IPv4 address written inside IPv6 (::ffff:a.b.c.d or ::ffff:hhhh:hhhh), as the IPv4 address; else null. */
export function embeddedIpv4(ip: string): string | null {
  const v = ip.toLowerCase().replace(/^\[|\]$/g, "");
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v)?.[1];
  if (dotted) return dotted;
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v);
  if (!hex) return null;
  const hi = parseInt(hex[1] ?? "0", 16);
  const lo = parseInt(hex[2] ?? "0", 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join(".");
}

/** Whether an address is loopback, private, link-local or otherwise not public (see above). */
export function isPrivateAddress(ip: string): boolean {
  const v = ip.replace(/^\[|\]$/g, "");
  const v4 = embeddedIpv4(v) ?? (isIP(v) === 4 ? v : null);
  if (v4) return internal.check(v4, "ipv4");
  return isIP(v) === 6 && internal.check(v, "ipv6");
}

/** The address in its usual form: IPv4-mapped IPv6 as IPv4, brackets and spaces removed. */
export function normalizeIp(ip: string): string {
  const v = ip.trim().replace(/^\[|\]$/g, "");
  return embeddedIpv4(v) ?? v;
}

/**
 * The bucket an address counts in for rate limits: an IPv4 address itself, an IPv6 address's /64 (one
 * subscriber gets a whole /64; per /128 anyone could rotate through billions of addresses).
 */
export function addressBucket(ip: string): string {
  const v = normalizeIp(ip);
  if (isIP(v) !== 6) return v;
  const [head = "", tail = ""] = v.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = v.includes("::")
    ? [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g || "0", 16).toString(16))
    .join(":")}::/64`;
}
