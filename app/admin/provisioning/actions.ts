"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/auth/access";
import { getDb } from "@/lib/db";
import { organizationNamed } from "@/lib/organizations";
import { createScimToken, revokeScimToken } from "@/lib/provisioning";

/**
 * A new SCIM token for Okta (rules.write: whoever holds a token can push the group that grants admin, so
 * only the built-in admin role may make one). Shown once; porter keeps its SHA-256.
 */
export const createTokenAction = action(
  z.object({ name: z.string().trim().min(1, "Give the token a name.").max(100, "At most 100 characters.") }),
  "rules.write",
  "scim.token_create",
  async (input, principal) => {
    const db = await getDb();
    const organization = await organizationNamed(db, principal.connection);
    const { token } = await createScimToken(db, organization, input.name, principal);
    revalidatePath("/admin/provisioning");
    return `Token "${input.name}" created. Copy it now into Okta (Provisioning > Integration > Authorization: Bearer …); porter keeps only its hash and cannot show it again: ${token}`;
  },
);

export const revokeTokenAction = action(
  z.object({ id: z.uuid("Unknown token.") }),
  "rules.write",
  "scim.token_revoke",
  async (input, principal) => {
    const db = await getDb();
    const organization = await organizationNamed(db, principal.connection);
    const revoked = await revokeScimToken(db, organization, input.id, principal);
    revalidatePath("/admin/provisioning");
    return revoked
      ? "Token revoked: Okta's next request with it is refused (401)."
      : "That token was already revoked, or is not one of this organization's.";
  },
);
