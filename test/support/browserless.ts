/**
 * A browser-less porter client: a cookie jar (cookies by name, shared across localhost ports as a
 * browser does) and manual redirects, so a sign-in runs the real protocol hops through devidp.
 */
export class Browserless {
  private readonly jar = new Map<string, string>();

  constructor(private readonly password = "Passw0rd!") {}

  private remember(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair = ""] = c.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/;\s*(max-age=0|expires=Thu, 01 Jan 1970)/i.test(c) || value === "") this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  /** The Cookie header this client sends. */
  cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.jar.size > 0) headers.set("cookie", this.cookieHeader());
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    this.remember(res);
    return res;
  }

  /**
   * Signs in at `${app}/login/${organization}` as `email`: porter's redirect, devidp's form, the callback.
   * Returns the time porter itself spent (its initiate and callback answers) and the whole flow's time.
   */
  async signIn(app: string, organization: string, email: string): Promise<{ porterMs: number; totalMs: number }> {
    const started = performance.now();
    let porterMs = 0;
    const timed = async (url: string, init?: RequestInit) => {
      const t = performance.now();
      const res = await this.request(url, init);
      await res.arrayBuffer();
      if (url.startsWith(app)) porterMs += performance.now() - t;
      return res;
    };
    let res = await timed(`${app}/login/${organization}`, {
      method: "POST",
      body: new URLSearchParams({ callbackUrl: "/profile" }),
    });
    let current = `${app}/login/${organization}`;
    for (let hop = 0; hop < 15; hop++) {
      const location = res.headers.get("location");
      if (!location) throw new Error(`sign-in stopped at ${current} (HTTP ${String(res.status)})`);
      current = new URL(location, current).toString();
      if (new URL(current).pathname === "/profile") return { porterMs, totalMs: performance.now() - started };
      res = await timed(current);
      if (res.status === 200 && /\/interaction(-org)?\/[\w-]+$/.test(new URL(current).pathname)) {
        res = await timed(`${current}/login`, {
          method: "POST",
          body: new URLSearchParams({ username: email, password: this.password }),
        });
      }
    }
    throw new Error("sign-in did not finish");
  }

  async me(app: string): Promise<{ status: number; roles: string[]; groups: string[] }> {
    const res = await this.request(`${app}/api/me`);
    if (!res.ok) {
      await res.arrayBuffer();
      return { status: res.status, roles: [], groups: [] };
    }
    const body = (await res.json()) as { roles: { role: string }[]; groups: string[] };
    return { status: res.status, roles: body.roles.map((r) => r.role), groups: body.groups };
  }
}
