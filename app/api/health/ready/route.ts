import { readiness } from "@/lib/server/health";

/** Readiness: 200 when this node can serve (database open, migrated, answering); 503 with Retry-After otherwise. */
export async function GET(): Promise<Response> {
  const ready = await readiness();
  return Response.json(ready, {
    status: ready.status === "ready" ? 200 : 503,
    headers: { "cache-control": "no-store", ...(ready.status === "ready" ? {} : { "retry-after": "5" }) },
  });
}
