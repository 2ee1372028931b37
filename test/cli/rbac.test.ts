import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const env = { ...process.env };
delete env.ORG_SEED_FILE;
delete env.ADMIN_GROUPS;
const cli = (args: string[]) =>
  run(process.execPath, ["node_modules/tsx/dist/cli.mjs", "--conditions=react-server", "cli/rbac.ts", ...args], {
    env,
  });

describe("npm run rbac -- explain", () => {
  it("prints kept groups, roles with provenance and permissions as JSON", async () => {
    const { stdout } = await cli([
      "explain",
      "--groups",
      "Engineering,team-payments,Everyone",
      "--admin-groups",
      "Port Admins",
    ]);
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      keptGroups: ["Engineering", "team-payments", "Everyone"],
      roles: [
        { role: "member", via: [{ group: "team-payments", rule: "group matches /team-.*/" }] },
        { role: "viewer", via: [{ group: "Everyone", rule: 'group is "Everyone"' }] },
      ],
      permissions: ["services.read", "services.write"],
    });
  });

  it("answers bad arguments with exit 2 and the usage line", async () => {
    const err = (await cli(["explain"]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toContain("usage: npm run rbac -- explain --groups");
  });
});
