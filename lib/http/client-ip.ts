import { isIP, type BlockList } from "node:net";
import { getConfig } from "../config";
import type { TrustedProxies } from "../config/trusted-proxies";

/**
 * The header porter's own server (server/serve.ts) sets to the TCP peer's address on every request,
 * overwriting whatever the client sent: the one address no client can forge.
 */
export const PEER_HEADER = "x-porter-peer";

const normalize = (ip: string) => {
  const v = ip.trim().replace(/^\[|\]$/g, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(v)?.[1];
  return mapped ?? v;
};
const trusted = (list: BlockList, ip: string) => list.check(ip, isIP(ip) === 6 ? "ipv6" : "ipv4");

/**
 * The client's address for audit records and rate limits. Without TRUSTED_PROXIES it is the socket peer
 * and X-Forwarded-For is ignored (rotating it cannot dodge a limit or forge the audit log). With a hop
 * count N, the address N hops back from the peer along X-Forwarded-For; with a list, the nearest address
 * that is not a trusted proxy. Null when the peer is unknown (not behind porter's server).
 */
export function clientIp(headers: Headers, proxies: TrustedProxies = trustedProxiesFromEnv()): string | null {
  const peerRaw = headers.get(PEER_HEADER);
  if (!peerRaw || isIP(normalize(peerRaw)) === 0) return null;
  const peer = normalize(peerRaw);
  if (proxies.kind === "none") return peer;
  const forwarded = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map(normalize)
    .filter((ip) => isIP(ip) !== 0);
  const chain = [...forwarded, peer];
  if (proxies.kind === "hops") return chain[Math.max(0, chain.length - 1 - proxies.hops)] ?? peer;
  for (let i = chain.length - 1; i >= 0; i--) {
    const ip = chain[i] ?? peer;
    if (!trusted(proxies.list, ip)) return ip;
  }
  return chain[0] ?? peer;
}

/** Whether the TCP peer is a proxy porter trusts to name the client (and to set the request id). */
export function peerIsTrustedProxy(peerRaw: string | undefined, proxies: TrustedProxies): boolean {
  if (!peerRaw || proxies.kind === "none") return false;
  const peer = normalize(peerRaw);
  if (isIP(peer) === 0) return false;
  return proxies.kind === "hops" ? proxies.hops > 0 : trusted(proxies.list, peer);
}

function trustedProxiesFromEnv(): TrustedProxies {
  try {
    return getConfig().trustedProxies;
  } catch {
    // No valid configuration (a CLI, a test): trust no proxy.
    return { kind: "none" };
  }
}

/** Who sent a request, as far as the audit log goes: address and user agent (bounded). */
export interface RequestClient {
  ip: string | null;
  userAgent: string | null;
}

export function requestClient(headers: Headers): RequestClient {
  const ua = headers.get("user-agent");
  return { ip: clientIp(headers), userAgent: ua ? ua.slice(0, 400) : null };
}
