import { isIP, type BlockList } from "node:net";
import { getConfig } from "../config";
import type { TrustedProxies } from "../config/trusted-proxies";
import { isPrivateAddress, normalizeIp } from "../core/ip-ranges";
import { currentPeer } from "../core/request-context";

const trusted = (list: BlockList, ip: string) => list.check(ip, isIP(ip) === 6 ? "ipv6" : "ipv4");

/**
 * The client's address for audit records and rate limits, from the socket peer that porter's server put in
 * the request context (never from a header: anyone can send one). Without TRUSTED_PROXIES it is the peer
 * and X-Forwarded-For is ignored (rotating it cannot dodge a limit or forge the audit log). With a list,
 * the nearest address along X-Forwarded-For that is not a trusted proxy; with a hop count N, the address N
 * hops back, but only when the peer itself is on a private or loopback address (a proxy in front of porter
 * is; a client on the internet is not). Null when the peer is unknown (not behind porter's server).
 */
export function clientIp(
  headers: Headers,
  options: { peer?: string | null; proxies?: TrustedProxies } = {},
): string | null {
  const peerRaw = options.peer === undefined ? currentPeer() : options.peer;
  if (!peerRaw || isIP(normalizeIp(peerRaw)) === 0) return null;
  const peer = normalizeIp(peerRaw);
  const proxies = options.proxies ?? trustedProxiesFromEnv();
  if (!peerIsTrustedProxy(peer, proxies)) return peer;
  const forwarded = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map(normalizeIp)
    .filter((ip) => isIP(ip) !== 0);
  const chain = [...forwarded, peer];
  if (proxies.kind === "hops") return chain[Math.max(0, chain.length - 1 - proxies.hops)] ?? peer;
  for (let i = chain.length - 1; i >= 0; i--) {
    const ip = chain[i] ?? peer;
    if (proxies.kind === "cidrs" && !trusted(proxies.list, ip)) return ip;
  }
  return chain[0] ?? peer;
}

/**
 * Whether the TCP peer is a proxy porter trusts to name the client (and to set the request id): one of the
 * listed addresses, or with a hop count, any peer on a private or loopback address.
 */
export function peerIsTrustedProxy(peerRaw: string | undefined | null, proxies: TrustedProxies): boolean {
  if (!peerRaw || proxies.kind === "none") return false;
  const peer = normalizeIp(peerRaw);
  if (isIP(peer) === 0) return false;
  return proxies.kind === "hops" ? proxies.hops > 0 && isPrivateAddress(peer) : trusted(proxies.list, peer);
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
