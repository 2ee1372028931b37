import type { Page } from "@playwright/test";
import { PASSWORD } from "./devidp-sign-in";
import { APP_URL } from "./env";

/**
 * Runs a sign-in's protocol hops with the browser context's own cookie jar (porter's check cookies and
 * devidp's session land in the browser), signing in at devidp when it asks, and stops at the callback:
 * returns the callback URL Okta sent the browser to, not yet visited. Tests then tamper with or replay it.
 */
export async function obtainCallback(page: Page, email: string, connection = "acme"): Promise<URL> {
  const http = page.request;
  let current = new URL(`/login/${connection}`, page.url().startsWith("http") ? page.url() : APP_URL);
  let res = await http.post(current.toString(), { form: { callbackUrl: "/profile" }, maxRedirects: 0 });
  for (let hop = 0; hop < 15; hop += 1) {
    const location = res.headers().location;
    if (!location) throw new Error(`no redirect from ${current.toString()} (HTTP ${String(res.status())})`);
    current = new URL(location, current);
    if (current.pathname.startsWith("/api/auth/callback/")) return current;
    res = await http.get(current.toString(), { maxRedirects: 0 });
    // devidp's sign-in form (an interaction that asks for a login): submit it. Consent needs no page.
    if (res.status() === 200 && /^\/interaction\/[\w-]+$/.test(current.pathname)) {
      res = await http.post(`${current.toString()}/login`, {
        form: { username: email, password: PASSWORD },
        maxRedirects: 0,
      });
    }
  }
  throw new Error("sign-in did not reach the callback");
}

/** Records the callback URLs the browser visits without interfering. */
export function recordCallbacks(page: Page): URL[] {
  const seen: URL[] = [];
  page.on("request", (req) => {
    if (req.url().includes("/api/auth/callback/")) seen.push(new URL(req.url()));
  });
  return seen;
}
