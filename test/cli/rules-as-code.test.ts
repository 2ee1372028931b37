import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applySeedOnce } from "../../lib/rules/apply-seed";
import { ensureOrganization } from "../../lib/organizations/organizations";
import { readSeedFile } from "../../lib/rules/seed";
import { signInPerson } from "../support/people";
import { openDatabase } from "../../lib/db/client";

const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), "porter-cli-"));
const env = {
  ...process.env,
  AUTH_SECRET: "tB4q9Lw2Xz7Kd1Rm6Pv0Ns3Hj8Gc5Fy2",
  APP_REGION: "eu",
  APP_URL_EU: "http://localhost:3990",
  APP_URL_US: "http://localhost:3991",
  OKTA_CONNECTION_NAME: "acme",
  OKTA_ISSUER: "http://localhost:3992/oauth2/default",
  OKTA_CLIENT_ID: "porter-eu",
  DATA_DIR: dir,
  DATABASE_URL: "",
  CONNECTIONS_FILE: "",
};
const cli = (script: string, args: string[]) =>
  run(process.execPath, ["node_modules/tsx/dist/cli.mjs", "--conditions=react-server", `cli/${script}.ts`, ...args], {
    env,
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: unknown) => {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    },
  );

beforeAll(async () => {
  const handle = await openDatabase({ kind: "pglite", dataDir: dir });
  const organizationId = await ensureOrganization(handle.db, "acme");
  await applySeedOnce(handle.db, organizationId, await readSeedFile("demo/org-seed.json"));
  const acme = { id: organizationId, name: "acme", defaults: { adminGroups: [] } };
  for (const [sub, groups] of [
    ["dev", ["team-payments", "Everyone"]],
    ["viewer", ["Everyone"]],
    ["admin", ["Port Admins"]],
  ] as const)
    await signInPerson(handle.db, acme, sub, groups);
  await handle.close();
}, 60_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("rules as code from the shell", () => {
  it("exports, diffs with the console's preview, applies all or nothing, and the audit chain still holds", async () => {
    const exported = await cli("rbac", ["export", "--connection", "acme"]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain("pattern: team-.*");
    const file = path.join(dir, "rules.yaml");
    writeFileSync(file, exported.stdout.replace(/  - match: regex\n    pattern: team-\.\*\n    role: member\n/, ""));

    const diff = await cli("rbac", ["diff", file, "--connection", "acme"]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain("1 person lose member: dev@example.com");
    expect(diff.stdout).toContain("needs --yes");

    expect((await cli("rbac", ["apply", file, "--connection", "acme"])).code).toBe(1);
    const applied = await cli("rbac", ["apply", file, "--connection", "acme", "--yes"]);
    expect(applied.stdout).toContain("roles changed for 1 people");
    expect((await cli("rbac", ["export", "--connection", "acme"])).stdout).not.toContain("team-.*");

    writeFileSync(file, "rules:\n  - { match: exact, pattern: Port Admins, role: admin, extra: 1 }\n");
    const bad = await cli("rbac", ["apply", file, "--connection", "acme", "--yes"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/rules\[0\] \(line 2\).*unknown field\(s\) extra/);

    const verify = await cli("audit", ["verify", "--connection", "acme"]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^OK {6}acme: \d+ event\(s\) hold/);
  }, 120_000);
});
