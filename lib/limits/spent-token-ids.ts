import { lt, sql } from "drizzle-orm";
import type { Queryable } from "../db/client";
import { usedTokenIds } from "../db/schema";

/**
 * Accepts a token id (a JWT's `jti`) once per organization and purpose, across every node (a primary key:
 * two nodes cannot both take one replay), kept until a minute after the token expires. False when it was
 * already spent.
 */
export async function spendTokenId(
  db: Queryable,
  organizationId: string,
  purpose: string,
  jti: string,
  expiresAt: Date,
): Promise<boolean> {
  await db.delete(usedTokenIds).where(lt(usedTokenIds.expiresAt, sql`now() - interval '1 minute'`));
  const rows = await db
    .insert(usedTokenIds)
    .values({ organizationId, purpose, jti, expiresAt: new Date(expiresAt.getTime() + 60_000) })
    .onConflictDoNothing()
    .returning({ jti: usedTokenIds.jti });
  return rows.length === 1;
}
