import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { isLoopbackHost } from "../../config/url-rules";
import { isPrivateAddress } from "../../core/ip-ranges";
import { readStreamCapped } from "../../core/read-body";

/** Bytes of any answer the check reads: a hostile or broken server cannot make it buffer more. */
export const MAX_CHECK_BODY = 256 * 1024;

export { isPrivateAddress } from "../../core/ip-ranges";

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
