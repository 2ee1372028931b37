/** Liveness: the process answers. A load balancer restarts a node that stops answering this. */
export function GET(): Response {
  return Response.json({ status: "live" }, { headers: { "cache-control": "no-store" } });
}
