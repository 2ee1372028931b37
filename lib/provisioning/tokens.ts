import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, isNull, lt, ne, or, sql } from "drizzle-orm";
import { actedBy, appendAuditEvent, auditEvent, type AuditActor } from "../audit";
import type { Db } from "../db/client";
import { scimTokens, type ScimToken } from "../db/schema";
import { scimError } from "./errors";

/** Tokens an admin may hold valid at once per organization: two, so a rotation loses no push. */
export const MAX_ACTIVE_TOKENS = 2;

const hashToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

export type ScimTokenView = Pick<
  ScimToken,
  "id" | "name" | "source" | "createdBy" | "createdAt" | "lastUsedAt" | "revokedAt"
>;

/** The organization's tokens, newest first: never the token itself (only its hash is stored). */
export async function listScimTokens(db: Db, organizationId: string): Promise<ScimTokenView[]> {
  return db
    .select({
      id: scimTokens.id,
      name: scimTokens.name,
      source: scimTokens.source,
      createdBy: scimTokens.createdBy,
      createdAt: scimTokens.createdAt,
      lastUsedAt: scimTokens.lastUsedAt,
      revokedAt: scimTokens.revokedAt,
    })
    .from(scimTokens)
    .where(eq(scimTokens.organizationId, organizationId))
    .orderBy(desc(scimTokens.createdAt));
}

/**
 * A new token for Okta's "API Token" field, shown once: 256 random bits, stored as SHA-256. At most
 * MAX_ACTIVE_TOKENS made on the console are valid at once (revoke the old one after Okta uses the new).
 */
export async function createScimToken(
  db: Db,
  organization: { id: string; name: string },
  name: string,
  by: AuditActor,
): Promise<{ id: string; token: string }> {
  const label = name.trim();
  if (label.length < 1 || label.length > 100)
    throw scimError("invalidValue", "Give the token a name of 1 to 100 characters (e.g. okta-2026-12).");
  const token = `scim_${randomBytes(32).toString("base64url")}`;
  return db.transaction(async (tx) => {
    // Serializes token creation per organization, so two admins cannot both pass the count.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`scim-tokens:${organization.id}`}))`);
    const [{ n } = { n: 0 }] = await tx
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(scimTokens)
      .where(
        and(
          eq(scimTokens.organizationId, organization.id),
          eq(scimTokens.source, "console"),
          isNull(scimTokens.revokedAt),
        ),
      );
    if (n >= MAX_ACTIVE_TOKENS)
      throw scimError(
        "invalidValue",
        `This organization already has ${String(MAX_ACTIVE_TOKENS)} valid SCIM tokens: revoke the one Okta no longer uses, then create a new one.`,
      );
    const [row] = await tx
      .insert(scimTokens)
      .values({ organizationId: organization.id, name: label, tokenHash: hashToken(token), createdBy: by.actor })
      .returning({ id: scimTokens.id });
    if (!row) throw new Error("token insert returned nothing");
    await appendAuditEvent(
      tx,
      auditEvent(
        "scim.token_created",
        { name: label },
        { ...actedBy(by), organizationId: organization.id, target: `scim_token:${row.id}`, targetLabel: label },
      ),
    );
    return { id: row.id, token };
  });
}

/** Revokes a token of this organization (another organization's id changes nothing). */
export async function revokeScimToken(
  db: Db,
  organization: { id: string; name: string },
  id: string,
  by: AuditActor,
): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(scimTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(scimTokens.id, id), eq(scimTokens.organizationId, organization.id), isNull(scimTokens.revokedAt)))
      .returning({ name: scimTokens.name });
    if (!row) return false;
    await appendAuditEvent(
      tx,
      auditEvent(
        "scim.token_revoked",
        { name: row.name },
        { ...actedBy(by), organizationId: organization.id, target: `scim_token:${id}`, targetLabel: row.name },
      ),
    );
    return true;
  });
}

/**
 * The token a SCIM request presents, if it is one of this organization's valid tokens. Another
 * organization's token is not found (the lookup is by organization and hash). Its last use is recorded at
 * most once a minute, so a burst of pushes is not a burst of writes.
 */
export async function authenticateScimToken(
  db: Db,
  organizationId: string,
  token: string,
): Promise<{ id: string; name: string } | null> {
  if (token.length < 16 || token.length > 500) return null;
  const [row] = await db
    .select({ id: scimTokens.id, name: scimTokens.name, lastUsedAt: scimTokens.lastUsedAt })
    .from(scimTokens)
    .where(
      and(
        eq(scimTokens.tokenHash, hashToken(token)),
        eq(scimTokens.organizationId, organizationId),
        isNull(scimTokens.revokedAt),
      ),
    );
  if (!row) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db
      .update(scimTokens)
      .set({ lastUsedAt: new Date() })
      .where(
        and(
          eq(scimTokens.id, row.id),
          or(isNull(scimTokens.lastUsedAt), lt(scimTokens.lastUsedAt, sql`now() - interval '1 minute'`)),
        ),
      );
  }
  return { id: row.id, name: row.name };
}

/**
 * The token the deployment's environment names for an organization (the demo's): kept as a row of its
 * own ("configuration"), replaced when the environment changes. Run at start.
 */
export async function syncConfiguredScimToken(
  db: Db,
  organizationId: string,
  token: string | undefined,
): Promise<void> {
  await db.transaction(async (tx) => {
    const hash = token ? hashToken(token) : null;
    await tx
      .update(scimTokens)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(scimTokens.organizationId, organizationId),
          eq(scimTokens.source, "configuration"),
          isNull(scimTokens.revokedAt),
          ...(hash ? [ne(scimTokens.tokenHash, hash)] : []),
        ),
      );
    if (!hash) return;
    await tx
      .insert(scimTokens)
      .values({ organizationId, name: "from the environment", tokenHash: hash, source: "configuration" })
      .onConflictDoUpdate({
        target: scimTokens.tokenHash,
        set: { revokedAt: null },
        setWhere: eq(scimTokens.organizationId, organizationId),
      });
  });
}
