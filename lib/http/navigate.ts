import { redirectNoStore } from "./redirect";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);

/**
 * Sends the browser on to another site (Okta) after one of porter's forms. A browser navigation gets a
 * small page that moves on by itself (meta refresh, no script): unlike a redirect answering a form, it
 * is not bound by the form-action CSP, so porter's pages need not list every customer's Okta origin.
 * Other clients (scripts, tests, curl) get the plain 303.
 */
export function navigateOff(request: Request, url: string): Response {
  if (request.headers.get("sec-fetch-mode") !== "navigate") return redirectNoStore(url, 303);
  const href = escapeHtml(url);
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${href}"><title>Continuing to Okta · porter</title></head>
<body><p>Continuing to your organization's sign-in page… <a href="${href}">Continue</a></p></body></html>`;
  return new Response(html, {
    status: 200,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "content-security-policy": "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    },
  });
}
