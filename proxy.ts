import { NextResponse, type NextRequest } from "next/server";
import { PATH_HEADER } from "./lib/auth/page-permissions";
import { getConfig } from "./lib/config";

const PROTECTED_PREFIXES = ["/profile", "/admin", "/services"];

function contentSecurityPolicy(nonce: string, dev: boolean): string {
  const config = getConfig();
  // Forms post to porter itself; the start page's form may be sent on to the organization's home region.
  // The hop to Okta is a page of its own (lib/http/navigate.ts), so no customer's Okta origin is listed
  // here: the policy names only what every page needs (review finding 1).
  const formTargets = [...new Set([config.regionUrls.eu, config.regionUrls.us])].join(" ");
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    `form-action 'self' ${formTargets}`,
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * Cheap work only: a per-request CSP nonce, and a redirect to sign-in when a protected page is asked for
 * without any session cookie. The real session check happens again on the server.
 */
export function proxy(request: NextRequest): NextResponse {
  // A path that is not valid percent-encoding (/login/%zz) cannot name anything: 400 here, before a
  // route's dynamic segment fails to decode into a 500.
  if (!decodesCleanly(request.nextUrl.pathname)) return malformedPath(request.nextUrl.pathname.startsWith("/api/"));
  // Machine endpoints (the JSON APIs, SCIM) need no page headers.
  if (request.nextUrl.pathname.startsWith("/api/") || request.nextUrl.pathname.startsWith("/scim/"))
    return NextResponse.next();
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const csp = contentSecurityPolicy(nonce, process.env.NODE_ENV === "development"); // eslint-disable-line no-restricted-properties -- build mode, inlined by Next.js

  const { pathname, search } = request.nextUrl;
  const hasSessionCookie = request.cookies.getAll().some((c) => c.name.endsWith("authjs.session-token"));
  if (!hasSessionCookie && PROTECTED_PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`))) {
    const target = new URL("/", getConfig().publicUrl);
    target.searchParams.set("callbackUrl", `${pathname}${search}`);
    const res = NextResponse.redirect(target, 303);
    res.headers.set("Content-Security-Policy", csp);
    return res;
  }

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set(PATH_HEADER, pathname);
  requestHeaders.set("Content-Security-Policy", csp);
  const res = NextResponse.next({ request: { headers: requestHeaders } });
  res.headers.set("Content-Security-Policy", csp);
  if (getConfig().publicUrl.startsWith("https:"))
    res.headers.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  return res;
}

function decodesCleanly(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

function malformedPath(api: boolean): NextResponse {
  const message =
    "This address is not valid: it has a % that does not start a valid escape (such as %20). Check the link.";
  if (api)
    return NextResponse.json(
      { error: { code: "malformed_path", message } },
      { status: 400, headers: { "cache-control": "no-store" } },
    );
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad address · porter</title></head><body><main><h1>Bad address</h1><p>${message}</p><p><a href="/">Go to the start page</a></p></main></body></html>`;
  return new NextResponse(html, {
    status: 400,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    },
  });
}

export const config = {
  matcher: [
    {
      source: "/((?!_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
