import type { Connection } from "../config";
import type { Queryable } from "../db/client";
import { OktaClient } from "../okta";
import { organizationFor } from "../organizations";
import type { OktaEventsContext } from "./okta-events";

/** What live group state needs of one connection: its organization, its app, its Okta API client (if any). */
export async function oktaEventsContext(
  db: Queryable,
  connection: Connection,
  fetchImpl?: typeof fetch,
): Promise<OktaEventsContext> {
  return {
    organization: await organizationFor(db, connection),
    connection: { name: connection.name, clientId: connection.clientId, groupsSource: connection.groupsSource },
    okta: OktaClient.of(connection, fetchImpl),
  };
}
