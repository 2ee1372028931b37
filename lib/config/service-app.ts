import { z } from "zod";

/**
 * An Okta API Services app (OAuth 2.0 client credentials at the org authorization server) whose private
 * key signs its client assertion (private_key_jwt). Okta's recommended credential for its management API.
 */
export interface OktaServiceApp {
  readonly clientId: string;
  /** The private JWK (RSA or EC, with `d`); never logged or sent to the browser. */
  readonly privateKey: Readonly<Record<string, unknown>> & { kty: string; d: string; kid?: string };
}

const privateJwk = z.looseObject({
  kty: z.enum(["RSA", "EC"]),
  d: z.string().min(1),
  kid: z.string().max(200).optional(),
});

/** Reads the service app from a client ID and a private JWK in JSON; a problem in words, or the app. */
export function parseServiceApp(
  clientId: string | undefined,
  keyJson: string | undefined,
  where: { clientId: string; key: string },
): OktaServiceApp | string | undefined {
  if (!clientId && !keyJson) return undefined;
  if (!clientId || !keyJson)
    return `${clientId ? where.key : where.clientId} is missing: an Okta API Services app needs both its client ID and its private key (JWK)`;
  if (!/^[A-Za-z0-9._~-]{1,255}$/.test(clientId))
    return `${where.clientId} is not an Okta client ID, e.g. 0oa1b2c3d4e5F6g7h8i9`;
  let json: unknown;
  try {
    json = JSON.parse(keyJson);
  } catch {
    return `${where.key} must be the private key as a JWK in JSON (Okta: Applications > your API Services app > General > Public keys > Add key > Generate new key > JSON)`;
  }
  const parsed = privateJwk.safeParse(json);
  if (!parsed.success)
    return `${where.key} must be a private RSA or EC JWK (with "kty" and "d"), the one Okta generated for the app's public key`;
  return { clientId, privateKey: parsed.data };
}
