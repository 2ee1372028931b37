import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { isLoopbackHost } from "../../config/url-rules";
import { readStreamCapped } from "../../core/read-body";

/** Bytes of any answer the check reads: a hostile or broken server cannot make it buffer more. */
export const MAX_CHECK_BODY = 256 * 1024;

/** Loopback, private, link-local, CGNAT, unspecified (IPv4 and IPv6, and IPv4 mapped in IPv6). */
export function isPrivateAddress(ip: string): boolean {
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/i.exec(ip);
  if (v4) {
    const [a = 0, b = 0] = v4.slice(1, 3).map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  const v6 = ip.toLowerCase();
  return v6 === "::" || v6 === "::1" || /^f[cd]/.test(v6) || /^fe[89ab]/.test(v6);
}

export class CheckFetchRefused extends Error {}

/**
 * fetch for the configuration check: only http(s); never to a private or link-local address unless the
 * issuer itself is on loopback (the local demo); no redirects followed; the body read up to a cap.
 * (The address is checked before connecting; a name that changes its answer between the two is the
 * residual risk, bounded by the timeout and the body cap.)
 */
export async function guardedFetch(
  url: string,
  init: RequestInit & { issuer: string; timeoutMs: number },
): Promise<{ res: Response; text: string }> {
  const target = new URL(url);
  if (target.protocol !== "https:" && target.protocol !== "http:")
    throw new CheckFetchRefused(`refused ${target.protocol} URL`);
  const allowPrivate = isLoopbackHost(new URL(init.issuer).hostname);
  if (!allowPrivate) {
    const host = target.hostname.replace(/^\[|\]$/g, "");
    const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
    const inside = addresses.find(isPrivateAddress);
    if (inside) throw new CheckFetchRefused(`refused: ${target.hostname} resolves to the private address ${inside}`);
  }
  const { method, headers, body } = init;
  const res = await fetch(url, {
    method,
    headers,
    body,
    redirect: "manual",
    signal: AbortSignal.timeout(init.timeoutMs),
  });
  return { res, text: (await readStreamCapped(res.body, MAX_CHECK_BODY)).text };
}

/**
 * An endpoint the discovery document names, only when the document passed its own checks (it names this
 * issuer exactly) and the endpoint is on the issuer's host: porter sends nothing, least of all the
 * client secret, to a host a broken or hostile document points at.
 */
export function trustedEndpoint(body: Record<string, unknown> | null, issuer: string, key: string): string | null {
  if (!body || body.issuer !== issuer) return null;
  const value = body[key];
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value);
    const base = new URL(issuer);
    return url.host === base.host && url.protocol === base.protocol ? url.toString() : null;
  } catch {
    return null;
  }
}
