import { z } from "zod";
import type { Connection } from "../config";
import { guardedFetch, trustedEndpoint } from "../okta/checks/guarded-fetch";
import { refuseSet } from "./errors";

/** What porter uses of the transmitter's /.well-known/ssf-configuration. */
export interface TransmitterMetadata {
  issuer: string;
  jwksUri: string;
  configurationEndpoint: string;
  verificationEndpoint: string | null;
  statusEndpoint: string | null;
}

const document = z.looseObject({ issuer: z.string() });
const cache = new Map<string, { at: number; metadata: TransmitterMetadata }>();
const TTL_MS = 10 * 60_000;

/**
 * The Okta org's Shared Signals transmitter metadata, at the org URL (Okta's transmitter is the org, whatever
 * authorization server signs people in). Read with the configuration check's guarded fetch (no private
 * address unless the issuer is on loopback, no redirects, a capped body); its `issuer` must be the org URL
 * and every endpoint it names on the org's host, or nothing is trusted. Cached ten minutes.
 */
export async function transmitterMetadata(
  connection: Pick<Connection, "issuer">,
  options: { fresh?: boolean; timeoutMs?: number } = {},
): Promise<TransmitterMetadata> {
  const org = new URL(connection.issuer).origin;
  const hit = cache.get(org);
  if (hit && !options.fresh && Date.now() - hit.at < TTL_MS) return hit.metadata;
  const url = `${org}/.well-known/ssf-configuration`;
  let body: Record<string, unknown>;
  try {
    const { res, text } = await guardedFetch(url, { issuer: connection.issuer, timeoutMs: options.timeoutMs ?? 4000 });
    if (!res.ok) throw new Error(`HTTP ${String(res.status)}`);
    body = document.parse(JSON.parse(text));
  } catch (err) {
    throw refuseSet(
      "signals_unavailable",
      `Okta's Shared Signals metadata (${url}) could not be read: ${err instanceof Error ? err.message : String(err)}`,
      err,
    );
  }
  const endpoint = (key: string) => trustedEndpoint(body, org, key);
  const jwksUri = endpoint("jwks_uri");
  const configurationEndpoint = endpoint("configuration_endpoint");
  if (body.issuer !== org || !jwksUri || !configurationEndpoint)
    throw refuseSet(
      "signals_unavailable",
      `Okta's Shared Signals metadata at ${url} names another issuer or points to another host; porter trusts none of it.`,
    );
  const metadata: TransmitterMetadata = {
    issuer: org,
    jwksUri,
    configurationEndpoint,
    verificationEndpoint: endpoint("verification_endpoint"),
    statusEndpoint: endpoint("status_endpoint"),
  };
  cache.set(org, { at: Date.now(), metadata });
  return metadata;
}

/** Forgets a cached document (tests; after a refused push that may mean new keys or endpoints). */
export function forgetTransmitterMetadata(issuer?: string): void {
  if (issuer) cache.delete(new URL(issuer).origin);
  else cache.clear();
}
