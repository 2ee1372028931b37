// Adds lock entries for platform-specific optional packages that this registry does not serve
// (other platforms' native binaries). Without them `npm ci` refuses the lockfile ("Missing: ...").
// Each entry gets version, optional, os and cpu (inferred from the package name), no `resolved`,
// so npm skips it on platforms that do not match. Run after every dependency change.
import { readFileSync, writeFileSync } from "node:fs";

const OS = ["android", "darwin", "freebsd", "linux", "win32", "openharmony", "sunos", "aix"];
const CPU = ["arm64", "x64", "arm", "ia32", "loong64", "ppc64", "riscv64", "s390x", "wasm32"];

const lockPath = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, "utf8"));
const present = new Set(Object.keys(lock.packages).map((k) => k.replace(/^.*node_modules\//, "")));

function platformOf(name) {
  const tokens = name.split("/").pop().split("-");
  const os = tokens.find((t) => OS.includes(t));
  const cpu = tokens.find((t) => CPU.includes(t));
  const entry = {};
  if (os) entry.os = [os];
  if (cpu) entry.cpu = [cpu];
  if (tokens.some((t) => t.startsWith("musl"))) entry.libc = ["musl"];
  else if (os === "linux" && tokens.some((t) => t.startsWith("gnu"))) entry.libc = ["glibc"];
  return entry;
}

let added = 0;
for (const [, pkg] of Object.entries(lock.packages)) {
  for (const [dep, range] of Object.entries(pkg.optionalDependencies ?? {})) {
    if (present.has(dep)) continue;
    const platform = platformOf(dep);
    if (!platform.os && !platform.cpu) continue; // not a platform binary: leave it to npm
    lock.packages[`node_modules/${dep}`] = { version: range.replace(/^[\^~=]/, ""), optional: true, ...platform };
    present.add(dep);
    added += 1;
  }
}
writeFileSync(lockPath, JSON.stringify(lock, null, 2) + "\n");
console.log(`fix-lockfile: added ${added} platform entries`);
