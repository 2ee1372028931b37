import { PGlite } from "@electric-sql/pglite";
const m = () => { const u = process.memoryUsage(); return `rss ${Math.round(u.rss/1048576)} MB, heap ${Math.round(u.heapUsed/1048576)} MB, external ${Math.round(u.external/1048576)} MB`; };
console.log("node alone:", m());
const db = new PGlite(process.argv[2]);
await db.query("select count(*) from users");
await db.query("select * from audit_events order by seq desc limit 500");
console.log("PGlite open, a few queries:", m());
