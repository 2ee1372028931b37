import type { AuditEventBase } from "../audit";
import type { Connection } from "../config";
import type { Db } from "../db/client";
import type { Organization } from "../organizations";

/** Who acts in a SCIM request: Okta, through one of the organization's tokens. */
export type ScimActor = Pick<AuditEventBase, "actor" | "actorSub" | "ip" | "userAgent">;

/** What every SCIM operation works within: one organization, its connection's settings, its base URL. */
export interface ScimScope {
  db: Db;
  organization: Organization;
  connection: Pick<Connection, "name" | "groupsSource">;
  /** The organization's SCIM base URL (resources' meta.location). */
  base: string;
  by: ScimActor;
}

/** Okta, as the audit log names it, acting through a SCIM token. */
export function oktaThroughToken(
  tokenName: string,
  client: { ip: string | null; userAgent: string | null },
): ScimActor {
  return { actor: "Okta", actorSub: `scim-token:${tokenName}`, ip: client.ip, userAgent: client.userAgent };
}

export const isUuid = (value: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
