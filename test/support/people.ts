import { randomUUID } from "node:crypto";
import type { Db } from "../../lib/db/client";
import type { User } from "../../lib/db/schema";
import { ensureOrganization, type Organization } from "../../lib/organizations/organizations";
import { ruleSetFor } from "../../lib/organizations/rule-sets";
import type { AppliedGroups } from "../../lib/people/apply-groups";
import { recordSignIn } from "../../lib/people/sign-in";
import { resolveIdentity } from "../../lib/rbac";
import { applySeedOnce } from "../../lib/rules/apply-seed";
import { readSeedFile, type Seed } from "../../lib/rules/seed";
import { createSession } from "../../lib/sessions/store";

/**
 * One organization for a test: a fresh name, seeded with the demo's rules, roles and services (or `seed`),
 * no break-glass groups and the default groups filter unless given.
 */
export async function newOrganization(
  db: Db,
  options: { seed?: Seed | null; prefix?: string; adminGroups?: string[] } = {},
): Promise<Organization> {
  const name = `${options.prefix ?? "org"}-${randomUUID().slice(0, 8)}`;
  const id = await ensureOrganization(db, name);
  const seed = options.seed === undefined ? await readSeedFile("demo/org-seed.json") : options.seed;
  if (seed) await applySeedOnce(db, id, seed);
  return { id, name, defaults: { adminGroups: options.adminGroups ?? [], groupsAllow: ".*", groupsBlock: undefined } };
}

/**
 * A person signed in to `organization` with `groups` in their ID token's claim: the same path a real sign-in
 * takes (people's recordSignIn: the person, teams, roles, sign-in record, audit events), without the browser.
 */
export async function signInPerson(
  db: Db,
  organization: Organization,
  sub: string,
  groups: readonly string[],
  options: { email?: string | null; session?: boolean } = {},
): Promise<{ user: User; applied: AppliedGroups; sid: string | null }> {
  const ruleSet = await ruleSetFor(db, organization);
  const email = options.email === undefined ? `${sub}@example.com` : options.email;
  const { user, applied } = await db.transaction((tx) =>
    recordSignIn(tx, {
      organizationId: organization.id,
      connection: organization.name,
      ruleSet,
      profile: { sub, email, name: null },
      read: {
        mapping: resolveIdentity(ruleSet, { kind: "claim", claim: [...groups] }),
        source: "id_token",
        sourceGroups: [...groups],
        usersApiProblem: null,
      },
      client: { ip: null, userAgent: null },
    }),
  );
  const sid = options.session
    ? await createSession(db, {
        userId: user.id,
        organizationId: organization.id,
        connection: organization.name,
        rawGroupCount: groups.length,
        maxAgeSeconds: 3600,
      })
    : null;
  return { user, applied, sid };
}
