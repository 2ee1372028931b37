import { BlockList, isIP } from "node:net";

/** Which hops in front of porter may say who the client is (TRUSTED_PROXIES). */
export type TrustedProxies =
  { kind: "none" } | { kind: "hops"; hops: number } | { kind: "cidrs"; list: BlockList; text: string };

/** TRUSTED_PROXIES: unset (the socket peer is the client), a hop count (0–10), or IPs/CIDRs, comma-separated. */
export function parseTrustedProxies(value: string | undefined): TrustedProxies | string {
  const text = value?.trim() ?? "";
  if (text === "") return { kind: "none" };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return hops <= 10
      ? { kind: "hops", hops }
      : "TRUSTED_PROXIES must be a hop count from 0 to 10, or a list of addresses and CIDRs (e.g. 10.0.0.0/8,127.0.0.1)";
  }
  const list = new BlockList();
  for (const entry of text.split(",").map((s) => s.trim())) {
    const [addr = "", prefix] = entry.split("/");
    const family = isIP(addr);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32)) {
      return `TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR (e.g. 10.0.0.0/8, 127.0.0.1, ::1)`;
    }
    list.addSubnet(addr, bits, family === 6 ? "ipv6" : "ipv4");
  }
  return { kind: "cidrs", list, text };
}
