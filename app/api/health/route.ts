import { getHealth } from "@/lib/health";

export async function GET(): Promise<Response> {
  return Response.json(await getHealth(), { headers: { "cache-control": "no-store" } });
}
