/** Best-effort client address for audit records and rate limits (first hop of X-Forwarded-For). */
export function clientIp(headers: Headers): string | null {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  const ip = forwarded || headers.get("x-real-ip")?.trim() || null;
  return ip && ip.length <= 64 ? ip : null;
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
