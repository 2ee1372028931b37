import { FIXES } from "./admin-console";
import { z } from "zod";
import { OktaError } from "./errors";

/** The part of the OpenID Provider metadata porter relies on. */
const metadataSchema = z.object({
  issuer: z.string(),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
  userinfo_endpoint: z.url().optional(),
  end_session_endpoint: z.url().optional(),
  introspection_endpoint: z.url().optional(),
  code_challenge_methods_supported: z.array(z.string()).optional(),
});
export type OidcMetadata = z.infer<typeof metadataSchema>;

export const DISCOVERY_TIMEOUT_MS = 4000;
const CACHE_MS = 5 * 60 * 1000;

const cacheKey = Symbol.for("porter.discovery-cache");
type Entry = { at: number; value: OidcMetadata; raw: Record<string, unknown> };
type Cache = Map<string, Entry>;
const cache: Cache = ((globalThis as typeof globalThis & { [cacheKey]?: Cache })[cacheKey] ??= new Map<
  string,
  Entry
>());
/** Loads in flight per issuer: a burst of sign-ins costs one discovery request, not one each. */
const inflight = new Map<string, Promise<Entry>>();

export function discoveryUrl(issuer: string): string {
  return `${issuer}/.well-known/openid-configuration`;
}

/**
 * Loads and checks the issuer's discovery document (cached for five minutes). Every failure becomes an
 * OktaError saying what was wrong in plain words; nothing from the network is trusted unchecked.
 */
export async function getOidcMetadata(
  issuer: string,
  options: { fresh?: boolean; maxAgeMs?: number } = {},
): Promise<OidcMetadata> {
  return (await getDiscoveryEntry(issuer, options)).value;
}

/** The issuer's discovery document as Okta sent it (checked, cached, loaded once at a time). */
export async function getDiscoveryDocument(issuer: string): Promise<Record<string, unknown>> {
  return (await getDiscoveryEntry(issuer)).raw;
}

async function getDiscoveryEntry(issuer: string, options: { fresh?: boolean; maxAgeMs?: number } = {}): Promise<Entry> {
  const cached = cache.get(issuer);
  if (!options.fresh && cached && Date.now() - cached.at < Math.min(CACHE_MS, options.maxAgeMs ?? CACHE_MS))
    return cached;
  const running = inflight.get(issuer);
  if (running) return running;
  const load = loadDiscovery(issuer).finally(() => inflight.delete(issuer));
  inflight.set(issuer, load);
  return load;
}

async function loadDiscovery(issuer: string): Promise<Entry> {
  let response: Response;
  try {
    response = await fetch(discoveryUrl(issuer), {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
      redirect: "error",
    });
  } catch (cause) {
    throw new OktaError({
      code: "issuer_unreachable",
      message: `discovery request to ${issuer} failed`,
      userMessage: `Okta at ${new URL(issuer).host} could not be reached from the porter server.`,
      fix: `Check that this server can open HTTPS connections (port 443) to ${new URL(issuer).host}, and that the issuer URL is right.`,
      cause,
    });
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (cause) {
    throw new OktaError({
      code: "discovery_invalid",
      message: `discovery document of ${issuer} is not JSON (HTTP ${String(response.status)})`,
      userMessage: `The issuer ${issuer} did not answer with an OpenID Connect discovery document.`,
      fix: FIXES.issuer(),
      cause,
    });
  }
  const parsed = metadataSchema.safeParse(body);
  if (!response.ok || !parsed.success) {
    throw new OktaError({
      code: "discovery_invalid",
      message: `discovery document of ${issuer} is invalid (HTTP ${String(response.status)})`,
      userMessage: `The issuer ${issuer} answered, but not with a valid OpenID Connect discovery document.`,
      fix: FIXES.issuer(),
    });
  }
  if (parsed.data.issuer !== issuer) {
    throw new OktaError({
      code: "issuer_mismatch",
      message: `discovery issuer ${parsed.data.issuer} differs from configured ${issuer}`,
      userMessage: `The discovery document names the issuer "${parsed.data.issuer}", but porter is configured with "${issuer}".`,
      fix: FIXES.issuer(parsed.data.issuer),
    });
  }
  const entry: Entry = { at: Date.now(), value: parsed.data, raw: body as Record<string, unknown> };
  cache.set(issuer, entry);
  return entry;
}
