const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);

export interface HtmlPage {
  status: number;
  title: string;
  paragraphs: string[];
  /** Okta Admin Console steps, when an admin can fix it. */
  steps?: string[];
  /** Reference id of the audit record. */
  reference?: string;
  headers?: Record<string, string>;
}

/**
 * A small self-contained page for route handlers (which cannot render the app's React pages), e.g. a
 * 404 or a refused sign-in link. Everything is escaped; nothing is echoed from the request unless the
 * caller chose to.
 */
export function htmlPage(page: HtmlPage): Response {
  const steps = page.steps?.length
    ? `<h2 style="font-size:1rem">How an Okta admin fixes this</h2><ol style="color:#334155">${page.steps.map((s) => `<li>${escape(s)}</li>`).join("")}</ol>`
    : "";
  const ref = page.reference ? `<p style="color:#64748b;font-size:.875rem">Reference: <code>${escape(page.reference)}</code> (in porter's audit log)</p>` : "";
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(page.title)} · porter</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family:system-ui,sans-serif;background:#f8fafc;color:#0f172a;margin:0">
<main style="max-width:40rem;margin:4rem auto;background:#fff;border:1px solid #e2e8f0;border-radius:.5rem;padding:2rem">
<h1 style="font-size:1.25rem;margin:0">${escape(page.title)}</h1>
${page.paragraphs.map((p) => `<p style="color:#475569">${escape(p)}</p>`).join("\n")}
${steps}${ref}
<a href="/" style="color:#1d4ed8">Go to the start page</a></main></body></html>`;
  return new Response(html, {
    status: page.status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      ...page.headers,
    },
  });
}
