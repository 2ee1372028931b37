import { discoveryUrl, getDiscoveryDocument } from "./discovery";

/**
 * The fetch Auth.js uses for one Okta connection: the discovery document comes from porter's cache
 * (5 minutes, a 4 s timeout, one load at a time per issuer), so sign-in start and callback cost no
 * discovery round trip and an Okta outage fails fast; everything else goes to Okta as is.
 */
export function oktaFetch(issuer: string): typeof fetch {
  const discovery = discoveryUrl(issuer);
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url !== discovery) return fetch(input, init);
    try {
      return Response.json(await getDiscoveryDocument(issuer));
    } catch (err) {
      // As fetch itself fails when Okta cannot be reached: Auth.js and porter's error pages read it the same way.
      throw new TypeError("fetch failed", { cause: err });
    }
  };
}
