import { addOktaTime } from "../core/request-context";
import { discoveryUrl, getDiscoveryDocument } from "./discovery";

/** Okta's token, userinfo and keys endpoints answer in well under a second; past this a sign-in fails with a clear page. */
export const OKTA_CALL_TIMEOUT_MS = 5_000;

/**
 * The fetch Auth.js uses for one Okta connection: the discovery document comes from porter's cache
 * (5 minutes, a 4 s timeout, one load at a time per issuer), so sign-in start and callback cost no
 * discovery round trip and an Okta outage fails fast; everything else (the token endpoint) goes to Okta
 * with a timeout of OKTA_CALL_TIMEOUT_MS, so a slow Okta costs a clear page, not a worker held for minutes.
 */
export function oktaFetch(issuer: string): typeof fetch {
  const discovery = discoveryUrl(issuer);
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url !== discovery) {
      const timeout = AbortSignal.timeout(OKTA_CALL_TIMEOUT_MS);
      const started = performance.now();
      try {
        return await fetch(input, {
          ...init,
          signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout,
        });
      } finally {
        addOktaTime(performance.now() - started);
      }
    }
    try {
      return Response.json(await getDiscoveryDocument(issuer));
    } catch (err) {
      // As fetch itself fails when Okta cannot be reached: Auth.js and porter's error pages read it the same way.
      throw new TypeError("fetch failed", { cause: err });
    }
  };
}
