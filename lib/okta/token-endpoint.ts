import type { Connection } from "../config";
import { getOidcMetadata } from "./discovery";

const REFRESH_TIMEOUT_MS = 4000;

/**
 * A refresh at Okta's token endpoint (grant_type=refresh_token) with the connection's client credentials:
 * the new ID token (the caller verifies it like any other), or why not: `refused` when Okta refused the
 * refresh token (the person was deactivated, the token revoked), else Okta could not be reached or answered
 * something else.
 */
export type RefreshAnswer =
  { ok: true; idToken: string; refreshToken: string | null } | { ok: false; refused: boolean; why: string };

export async function refreshAtOkta(
  connection: Connection,
  refreshToken: string,
  fetchImpl: typeof fetch,
): Promise<RefreshAnswer> {
  try {
    const { token_endpoint } = await getOidcMetadata(connection.issuer);
    const body = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      scope: connection.scopes,
    });
    const headers: Record<string, string> = {
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    };
    if (connection.clientSecret)
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(connection.clientId)}:${encodeURIComponent(connection.clientSecret)}`).toString("base64")}`;
    else body.set("client_id", connection.clientId);
    const res = await fetchImpl(token_endpoint, {
      method: "POST",
      headers,
      body,
      redirect: "error",
      signal: AbortSignal.timeout(REFRESH_TIMEOUT_MS),
    });
    const json = (await res.json().catch(() => ({}))) as {
      id_token?: unknown;
      refresh_token?: unknown;
      error?: unknown;
    };
    if (res.status === 400 || res.status === 401)
      return {
        ok: false,
        refused: true,
        why: `Okta refused the refresh token (${typeof json.error === "string" ? json.error : `HTTP ${String(res.status)}`})`,
      };
    if (!res.ok || typeof json.id_token !== "string")
      return {
        ok: false,
        refused: false,
        why: `Okta's token endpoint answered HTTP ${String(res.status)}${typeof json.id_token === "string" ? "" : " without an ID token"}`,
      };
    return {
      ok: true,
      idToken: json.id_token,
      refreshToken: typeof json.refresh_token === "string" ? json.refresh_token : null,
    };
  } catch (err) {
    return {
      ok: false,
      refused: false,
      why: `Okta could not be reached: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}
