/**
 * A plain 404 page for route handlers (which cannot render the app's not-found page). It names nothing:
 * an unknown sign-in link must not reveal which organizations exist.
 */
export function notFoundResponse(): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Page not found · porter</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family:system-ui,sans-serif;background:#f8fafc;color:#0f172a;margin:0">
<main style="max-width:40rem;margin:4rem auto;background:#fff;border:1px solid #e2e8f0;border-radius:.5rem;padding:2rem">
<h1 style="font-size:1.25rem;margin:0">Page not found</h1>
<p style="color:#475569">There is nothing at this address. If you followed a sign-in link, check it with your administrator.</p>
<a href="/" style="color:#1d4ed8">Go to the start page</a></main></body></html>`;
  return new Response(html, {
    status: 404,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'" },
  });
}
