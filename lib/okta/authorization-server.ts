/**
 * Okta's org authorization server has the org URL as issuer (https://acme.okta.com); a custom one has
 * /oauth2/<id>. Only a custom server's access tokens can be verified outside Okta.
 */
export function isOrgAuthorizationServer(issuer: string): boolean {
  return !/\/oauth2\/[^/]+$/.test(new URL(issuer).pathname);
}
