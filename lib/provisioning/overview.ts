import { and, desc, eq, isNotNull, max, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { auditEvents, scimGroups, scimTokens, users } from "../db/schema";
import { rulesMatchingNoGroup } from "./groups";
import { listScimTokens, type ScimTokenView } from "./tokens";

export interface ProvisioningOverview {
  people: { provisioned: number; neverSignedIn: number; deactivated: number };
  pushedGroups: number;
  /** The last request a valid token made (to the minute). */
  lastRequestAt: Date | null;
  tokens: ScimTokenView[];
  refused: { at: Date; ip: string | null; reason: string | null; detail: string; count: number }[];
  /** Exact-name rules that match no pushed group (a group renamed or not pushed in Okta). */
  rulesMatchingNoGroup: string[];
}

/** The Provisioning page's figures for one organization (its own data only). */
export async function provisioningOverview(db: Db, organizationId: string): Promise<ProvisioningOverview> {
  const [counts, groups, last, tokens, refused, orphaned] = await Promise.all([
    db
      .select({
        provisioned: sql<number>`count(*)`.mapWith(Number),
        neverSignedIn:
          sql<number>`count(*) filter (where ${users.lastSignInAt} is null and ${users.deprovisionedAt} is null)`.mapWith(
            Number,
          ),
        deactivated: sql<number>`count(*) filter (where ${users.deprovisionedAt} is not null)`.mapWith(Number),
      })
      .from(users)
      .where(and(eq(users.organizationId, organizationId), isNotNull(users.provisionedAt))),
    db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(scimGroups)
      .where(eq(scimGroups.organizationId, organizationId)),
    db
      .select({ at: max(scimTokens.lastUsedAt) })
      .from(scimTokens)
      .where(eq(scimTokens.organizationId, organizationId)),
    listScimTokens(db, organizationId),
    db
      .select({
        at: auditEvents.at,
        ip: auditEvents.ip,
        reason: auditEvents.reason,
        details: auditEvents.details,
        count: auditEvents.count,
      })
      .from(auditEvents)
      .where(and(eq(auditEvents.organizationId, organizationId), eq(auditEvents.type, "scim.request_refused")))
      .orderBy(desc(auditEvents.id))
      .limit(10),
    rulesMatchingNoGroup(db, organizationId),
  ]);
  return {
    people: counts[0] ?? { provisioned: 0, neverSignedIn: 0, deactivated: 0 },
    pushedGroups: groups[0]?.n ?? 0,
    lastRequestAt: last[0]?.at ?? null,
    tokens,
    refused: refused.map((r) => ({
      at: r.at,
      ip: r.ip,
      reason: r.reason,
      detail: `${String(r.details.method)} ${String(r.details.path)}: ${String(r.details.status)} ${String(r.details.detail)}`,
      count: r.count,
    })),
    rulesMatchingNoGroup: orphaned,
  };
}
