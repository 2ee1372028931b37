/** HTML for devidp's own pages. Every interpolated value goes through `esc`. */
export function esc(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);
}

export function page(title: string, body: string, extraHead = ""): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · devidp (Okta-compatible)</title>${extraHead}
<style>
 body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f4f5f7;margin:0;color:#1d1d21}
 .bar{background:#fff;border-bottom:1px solid #ddd;padding:10px 24px;font-weight:600}
 .bar small{font-weight:400;color:#6e6e78;margin-left:8px}
 .card{max-width:400px;margin:48px auto;background:#fff;border:1px solid #d7d7dc;border-radius:6px;padding:32px 40px}
 h1{font-size:22px;margin:0 0 6px} p.sub{color:#6e6e78;margin:0 0 20px}
 label{display:block;font-size:14px;font-weight:600;margin:16px 0 6px}
 input[type=text],input[type=password],input[type=email]{width:100%;box-sizing:border-box;padding:9px 10px;border:1px solid #8c8c96;border-radius:4px;font-size:15px}
 button{margin-top:22px;width:100%;padding:10px;border:0;border-radius:4px;background:#1662dd;color:#fff;font-size:15px;font-weight:600;cursor:pointer}
 button.secondary{background:#fff;color:#1662dd;border:1px solid #1662dd;margin-top:10px}
 .error{background:#fdeceb;border:1px solid #e0473e;color:#8c1c13;padding:10px 12px;border-radius:4px;font-size:14px}
 .wide{max-width:720px} code{background:#f0f0f3;padding:1px 4px;border-radius:3px}
 .tiles{display:flex;flex-wrap:wrap;gap:16px;margin-top:16px} .tile{display:block;width:150px;padding:18px;border:1px solid #d7d7dc;border-radius:6px;text-decoration:none;color:#1d1d21;text-align:center}
</style></head>
<body><div class="bar">devidp <small>local Okta-compatible identity provider for porter's demo and tests</small></div>${body}</body></html>`;
}

export function loginPage(opts: {
  action: string;
  abort: string;
  clientLabel: string;
  error?: string;
  username?: string;
}): string {
  return page(
    "Sign In",
    `<main class="card">
  <h1>Sign In</h1>
  <p class="sub">to <strong>${esc(opts.clientLabel)}</strong></p>
  ${opts.error ? `<p class="error" role="alert">${esc(opts.error)}</p>` : ""}
  <form method="post" action="${esc(opts.action)}" autocomplete="off">
    <label for="username">Username</label>
    <input id="username" type="text" name="username" value="${esc(opts.username ?? "")}" autofocus required>
    <label for="password">Password</label>
    <input id="password" type="password" name="password" required>
    <button type="submit">Sign in</button>
  </form>
  <form method="post" action="${esc(opts.abort)}"><button type="submit" class="secondary">Cancel</button></form>
  <p class="sub" style="margin-top:20px;font-size:13px">Demo accounts: admin@, dev@, viewer@, nogroups@, many@example.com · password <code>Passw0rd!</code></p>
</main>`,
  );
}
