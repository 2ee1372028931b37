const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);

export interface HtmlPage {
  status: number;
  title: string;
  paragraphs: string[];
  /** Okta Admin Console steps, when an admin can fix it. */
  steps?: string[];
  /** Exact values to paste. */
  values?: { label: string; value: string }[];
  /** Reference id of the audit record. */
  reference?: string;
  headers?: Record<string, string>;
  /** The request's CSP nonce (x-nonce, set by proxy.ts), so the page's one style block may apply. */
  nonce?: string | null;
}

const STYLE = `body{font-family:system-ui,sans-serif;background:#f8fafc;color:#0f172a;margin:0}
main{max-width:40rem;margin:4rem auto;background:#fff;border:1px solid #e2e8f0;border-radius:.5rem;padding:2rem}
h1{font-size:1.25rem;margin:0}h2{font-size:1rem;margin-top:1.5rem}p,li{color:#475569}
code{font-family:ui-monospace,monospace;background:#f1f5f9;padding:.1rem .3rem;border-radius:.25rem;word-break:break-all}
.small{font-size:.875rem;color:#64748b}a{color:#1d4ed8}`;

/**
 * A small self-contained page for route handlers (which cannot render the app's React pages), e.g. a
 * 404 or a refused sign-in link. Everything is escaped; nothing is echoed from the request unless the
 * caller chose to.
 */
export function htmlPage(page: HtmlPage): Response {
  const steps = page.steps?.length
    ? `<h2>How an Okta admin fixes this</h2><ol>${page.steps.map((s) => `<li>${escape(s)}</li>`).join("")}</ol>`
    : "";
  const values = page.values?.length
    ? page.values.map((v) => `<p>${escape(v.label)}: <code>${escape(v.value)}</code></p>`).join("")
    : "";
  const ref = page.reference
    ? `<p class="small">Reference: <code>${escape(page.reference)}</code> (in porter's audit log)</p>`
    : "";
  const nonce = page.nonce && /^[A-Za-z0-9+/=]{8,200}$/.test(page.nonce) ? page.nonce : null;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(page.title)} · porter</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style${nonce ? ` nonce="${nonce}"` : ""}>${STYLE}</style></head>
<body><main><h1>${escape(page.title)}</h1>
${page.paragraphs.map((p) => `<p>${escape(p)}</p>`).join("\n")}
${steps}${values}${ref}
<p><a href="/">Go to the start page</a></p></main></body></html>`;
  return new Response(html, {
    status: page.status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...page.headers },
  });
}
