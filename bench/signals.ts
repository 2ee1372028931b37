/**
 * The one revocation path, timed per signal on the real demo (production build, devidp as Okta): from the
 * signal's cause at Okta to the first request of the person's session that porter refuses. Every node's
 * session cache hears the revocation from the database within milliseconds (the cluster test shows it);
 * this measures one node. Baseline: a request of a live session.
 */
import { Browserless } from "../test/support/browserless";
import { line, ratio, summarize } from "./stats";
import { startDemoScript, stopProcess } from "./support";

const APP = "http://localhost:3600";
const IDP = "http://localhost:4600";
const ADMIN = { authorization: "SSWS devidp-demo-admin-token" };
const TRIALS = 10;
const ms = (v: number) => `${v.toFixed(0)} ms`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));
const benchUser = (n: number) => ({
  id: `00ubench${String(n).padStart(11, "0")}`,
  email: `bench-${String(n).padStart(3, "0")}@example.com`,
});

async function call(method: string, url: string, body?: unknown): Promise<void> {
  const res = await fetch(url, {
    method,
    headers: { ...ADMIN, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await res.arrayBuffer();
  if (res.status >= 300) throw new Error(`${method} ${url}: HTTP ${String(res.status)}`);
}

/** Signs a fresh session in, runs the signal, and times it until porter refuses the session. */
async function trial(
  organization: string,
  n: number,
  signal: (user: { id: string }) => Promise<void>,
  undo: (user: { id: string }) => Promise<void>,
): Promise<number> {
  const user = benchUser(n);
  const client = new Browserless();
  await client.signIn(APP, organization, user.email);
  if ((await client.me(APP)).status !== 200) throw new Error("no session to end");
  const t0 = performance.now();
  await signal(user);
  for (;;) {
    if ((await client.me(APP)).status === 401) break;
    if (performance.now() - t0 > 20_000) throw new Error(`${organization}: the session did not end`);
    await sleep(5);
  }
  const elapsed = performance.now() - t0;
  await undo(user);
  return elapsed;
}

export async function benchSignals(): Promise<void> {
  const demo = await startDemoScript("demo/start.ts", [
    "--app-port",
    "3600",
    "--us-port",
    "3601",
    "--idp-port",
    "4600",
    "--data-dir",
    "./data/bench-signals",
    "--fresh",
    "--idp-extra-users",
    "60",
  ]);
  try {
    await sleep(3000); // initech's stream is registered and verified a moment after start
    const live = new Browserless();
    await live.signIn(APP, "acme", benchUser(60).email);
    const baselineSamples: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await live.me(APP);
      baselineSamples.push(performance.now() - t);
    }
    const baseline = summarize(baselineSamples).p50;
    console.log(
      `\nThe one revocation path: from the signal at Okta to porter refusing the session (${String(TRIALS)} trials each)`,
    );
    line("baseline one request of a live session p50", ms(baseline));
    const signals: [string, string, (u: { id: string }) => Promise<void>, (u: { id: string }) => Promise<void>][] = [
      [
        "Shared Signals (CAEP session-revoked)",
        "initech",
        (u) => call("DELETE", `${IDP}/api/v1/users/${u.id}/sessions`),
        () => Promise.resolve(),
      ],
      [
        "Universal Logout",
        "acme-dir",
        (u) => call("DELETE", `${IDP}/api/v1/users/${u.id}/sessions?universalLogout=true`),
        () => Promise.resolve(),
      ],
      [
        "Event Hook (deactivation)",
        "acme",
        (u) => call("POST", `${IDP}/api/v1/users/${u.id}/lifecycle/deactivate`),
        (u) => call("POST", `${IDP}/api/v1/users/${u.id}/lifecycle/activate`),
      ],
      [
        "SCIM deprovisioning (unassigned)",
        "acme-scim",
        (u) => call("DELETE", `${IDP}/api/v1/apps/porter-scim/users/${u.id}`),
        (u) => call("POST", `${IDP}/api/v1/apps/porter-scim/users`, { id: u.id }),
      ],
    ];
    let n = 1;
    for (const [name, organization, signal, undo] of signals) {
      const samples: number[] = [];
      for (let i = 0; i < TRIALS; i++) samples.push(await trial(organization, n++, signal, undo));
      const s = summarize(samples);
      line(
        `${name} p50`,
        ms(s.p50),
        `p99 ${ms(s.p99)}; baseline one request ${ms(baseline)}: ${ratio(s.p50 / baseline)}`,
      );
    }
  } finally {
    await stopProcess(demo);
  }
}
