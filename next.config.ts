import type { NextConfig } from "next";

const securityHeaders = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

// Sign-in URLs carry codes and state: never leak them through Referer.
const noReferrer = [{ key: "Referrer-Policy", value: "no-referrer" }];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // forbidden() gives pages a real HTTP 403 (app/forbidden.tsx) when a permission is missing.
  experimental: { authInterrupts: true },
  // Loaded from node_modules at run time: PGlite finds its WASM next to itself, pino and pg use workers/natives.
  serverExternalPackages: ["@electric-sql/pglite", "pg", "pino", "@okta/jwt-verifier"],
  headers() {
    return Promise.resolve([
      { source: "/:path*", headers: securityHeaders },
      { source: "/api/auth/:path*", headers: noReferrer },
      { source: "/auth/:path*", headers: noReferrer },
      { source: "/login/:path*", headers: noReferrer },
    ]);
  },
};

export default nextConfig;
