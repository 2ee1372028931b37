// Creates an embedded database directory (PGlite's initdb) and exits: run by initializePglite
// (lib/db/pglite-directory.ts) in a process of its own, so the memory initdb takes (WebAssembly heap grown
// to about 900 MB, never given back) leaves with it.
import { PGlite } from "@electric-sql/pglite";

const location = process.argv[2];
if (!location) {
  console.error("usage: node lib/db/pglite-init.mjs <data directory>");
  process.exit(2);
}
const db = new PGlite(location);
await db.waitReady;
await db.close();
