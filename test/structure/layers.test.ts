import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The house's rule, checked on every run: lib/ is rooms on floors, and imports only run down. A room may
 * import a room below it (or itself), never one above; lib/rbac is pure and imports nothing of porter's
 * outside itself; no two modules import each other, however indirectly. The floors, from the ground up
 * (the README's "What is here" table lists what each room holds):
 */
export const FLOORS = [
  ["core"],
  ["rbac"],
  ["config"],
  ["log"],
  ["db"],
  ["audit"],
  ["okta"],
  ["http"],
  ["limits"],
  ["organizations"],
  ["sessions"],
  ["people"],
  ["rules", "catalog"],
  ["live-groups", "provisioning", "signals"],
  ["okta-check"],
  ["auth"],
  ["server"],
] as const;

const root = path.resolve(import.meta.dirname, "../..");
const floorOf = new Map<string, number>(FLOORS.flatMap((rooms, floor) => rooms.map((room) => [room, floor])));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === "migrations" ? [] : sources(full);
    return /\.tsx?$/.test(name) && !name.endsWith(".test.ts") ? [full] : [];
  });
}

function resolve(from: string, spec: string): string | null {
  if (!spec.startsWith(".") && !spec.startsWith("@/")) return null;
  const base = spec.startsWith("@/") ? path.join(root, spec.slice(2)) : path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")])
    if (existsSync(candidate)) return candidate;
  return null;
}

const roomOf = (file: string) =>
  path
    .relative(path.join(root, "lib"), file)
    .split(path.sep)[0]
    ?.replace(/\.tsx?$/, "") ?? "";
const files = sources(path.join(root, "lib"));
const imports = new Map(
  files.map((file) => {
    const text = readFileSync(file, "utf8");
    const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].map((m) => m[1] ?? "");
    return [file, specs.map((s) => resolve(file, s)).filter((t): t is string => t !== null)] as const;
  }),
);

describe("the layers of lib/", () => {
  it("puts every room on a floor", () => {
    const rooms = [...new Set(files.map(roomOf))].filter((r) => !floorOf.has(r));
    expect(rooms).toEqual([]);
  });

  it("has no import that runs back up a floor", () => {
    const upward: string[] = [];
    for (const [file, targets] of imports) {
      const from = roomOf(file);
      for (const target of targets) {
        if (!target.startsWith(path.join(root, "lib"))) continue;
        const to = roomOf(target);
        if (to !== from && (floorOf.get(to) ?? 0) >= (floorOf.get(from) ?? 0))
          upward.push(`${path.relative(root, file)} -> ${path.relative(root, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it("keeps lib/rbac pure: it imports nothing of porter's outside itself", () => {
    const outside = [...imports]
      .filter(([file]) => roomOf(file) === "rbac")
      .flatMap(([file, targets]) => targets.filter((t) => roomOf(t) !== "rbac").map((t) => `${file} -> ${t}`));
    expect(outside).toEqual([]);
  });

  it("has no circle of imports", () => {
    const circles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (file: string) => {
      state.set(file, "open");
      stack.push(file);
      for (const next of imports.get(file) ?? []) {
        if (state.get(next) === "open")
          circles.push(
            stack
              .slice(stack.indexOf(next))
              .map((f) => path.relative(root, f))
              .join(" -> "),
          );
        else if (!state.has(next) && imports.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, "done");
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(circles).toEqual([]);
  });

  it("names a code, never an HTTP status, where an error is thrown", () => {
    const literal = files.filter((file) =>
      /new [A-Z][A-Za-z]*Error\(\{[^}]*\bstatus:\s*\d{3}/s.test(readFileSync(file, "utf8")),
    );
    expect(literal.map((f) => path.relative(root, f))).toEqual([]);
  });
});
