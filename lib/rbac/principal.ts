import type { RoleGrant } from "./compile-rule-set";
import type { Access } from "./service-access";

/** Whoever is making a request, as far as permissions go: a signed-in person or a bearer token. */
export interface Principal extends Access {
  readonly kind: "user" | "service";
  readonly organizationId: string;
  readonly connection: string;
  /** Email, Okta sub, or the service's client ID: for "changed by" and the audit log. */
  readonly actor: string;
  /** Stable id: the Okta sub, or the service's client ID. */
  readonly subject: string;
  readonly roles: readonly RoleGrant[];
}
