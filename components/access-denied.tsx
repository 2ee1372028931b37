import type { GrantingMatcher } from "@/lib/auth/access";
import { inAdminConsole, PLACES } from "@/lib/okta/admin-console";
import { PERMISSION_DESCRIPTIONS, type Permission } from "@/lib/rbac";

function Matchers({ granting }: { granting: GrantingMatcher[] }) {
  if (granting.length === 0) {
    return (
      <p className="mt-3 text-slate-700">
        No rule grants it yet: an admin of your organization has to add a mapping rule first.
      </p>
    );
  }
  return (
    <ul className="mt-3 flex flex-col gap-1" aria-label="Groups that grant access">
      {granting.map((m) => (
        <li key={`${m.match}:${m.pattern}:${m.role}`} className="text-slate-800">
          {m.match === "regex" ? "any Okta group matching " : "the Okta group "}
          <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-sm">
            {m.match === "regex" ? `/${m.pattern}/` : m.pattern}
          </code>
          <span className="text-slate-500"> → role {m.role}</span>
        </li>
      ))}
    </ul>
  );
}

/** For a signed-in person none of whose groups grants anything: say so, and which groups would. */
export function NoAccess({
  who,
  organization,
  granting,
}: {
  who: string;
  organization: string;
  granting: GrantingMatcher[];
}) {
  return (
    <section className="rounded-lg border border-amber-300 bg-amber-50 p-8" aria-labelledby="no-access">
      <h1 id="no-access" className="text-2xl font-semibold text-amber-950">
        No access yet
      </h1>
      <p className="mt-2 text-amber-950">
        You are signed in as <strong>{who}</strong>, but none of your Okta groups gives you a role in{" "}
        <strong>{organization}</strong>.
      </p>
      <h2 className="mt-6 font-semibold text-amber-950">Membership in one of these groups would:</h2>
      <Matchers granting={granting} />
      <p className="mt-6 text-sm text-amber-950">
        Ask your Okta administrator to add you to one of them (
        {inAdminConsole(`${PLACES.groups} > the group > Assign people`)}), then sign out and sign in again.
      </p>
    </section>
  );
}

/** For a person who lacks one permission: name it, and the groups that would grant it. */
export function Forbidden({ missing, granting }: { missing: Permission; granting: GrantingMatcher[] }) {
  return (
    <section className="rounded-lg border border-red-200 bg-white p-8" aria-labelledby="forbidden">
      <h1 id="forbidden" className="text-2xl font-semibold">
        You cannot open this page
      </h1>
      <p className="mt-2 text-slate-700">
        It needs the permission <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-sm">{missing}</code>{" "}
        ({PERMISSION_DESCRIPTIONS[missing].toLowerCase()}), which none of your roles has.
      </p>
      <h2 className="mt-6 font-semibold">Groups that grant it:</h2>
      <Matchers granting={granting} />
    </section>
  );
}
