import { and, eq, isNotNull, like, sql } from "drizzle-orm";
import type { Connection } from "../config";
import type { Queryable } from "../db/client";
import { users } from "../db/schema";
import { listPushedGroups } from "../people";

/** What provisioning says about a person signing in. */
export type SignInProvisioning =
  { ok: true; provisioned: boolean; pushedGroups: string[] } | { ok: false; code: "not_provisioned" | "deprovisioned" };

/**
 * A sign-in, as provisioning sees it: the person is found by their `sub` (Okta's id, the `externalId` Okta
 * provisioned them with), else linked by userName to a person Okta provisioned without an externalId. A
 * person Okta deactivated is refused; one it never provisioned is refused when the organization requires
 * provisioning. Their pushed groups come back for an organization whose groups source is SCIM.
 */
export async function provisioningAtSignIn(
  db: Queryable,
  organizationId: string,
  connection: Pick<Connection, "requireProvisioning">,
  person: { sub: string; userName: string | null },
): Promise<SignInProvisioning> {
  let [row] = await db
    .select({ id: users.id, provisionedAt: users.provisionedAt, deprovisionedAt: users.deprovisionedAt })
    .from(users)
    .where(and(eq(users.organizationId, organizationId), eq(users.sub, person.sub)));
  if ((!row || row.provisionedAt === null) && person.userName) {
    // Provisioned without an externalId (a placeholder sub): this sign-in tells porter their Okta id.
    const [placeholder] = await db
      .update(users)
      .set({ sub: person.sub, externalId: person.sub, updatedAt: new Date() })
      .where(
        and(
          eq(users.organizationId, organizationId),
          isNotNull(users.provisionedAt),
          like(users.sub, "scim:%"),
          sql`lower(${users.userName}) = lower(${person.userName})`,
          sql`not exists (select 1 from users u where u.organization_id = ${organizationId} and u.sub = ${person.sub})`,
        ),
      )
      .returning({ id: users.id, provisionedAt: users.provisionedAt, deprovisionedAt: users.deprovisionedAt });
    if (placeholder) row = placeholder;
  }
  if (row?.provisionedAt && row.deprovisionedAt) return { ok: false, code: "deprovisioned" };
  if (!row?.provisionedAt) {
    if (connection.requireProvisioning) return { ok: false, code: "not_provisioned" };
    return { ok: true, provisioned: false, pushedGroups: [] };
  }
  return { ok: true, provisioned: true, pushedGroups: await listPushedGroups(db, row.id) };
}
