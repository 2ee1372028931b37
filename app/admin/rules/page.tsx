import type { Metadata } from "next";
import { RuleChangeForm } from "@/components/rule-change-form";
import { RequireAccess } from "@/components/require-access";
import { TableHead } from "@/components/table-head";
import { organizationNamed, ruleSetFor, getOrganizationRules } from "@/lib/organizations";
import { listSeenGroups } from "@/lib/people";
import { getDb } from "@/lib/db";
import { rulesMatchingNoGroup } from "@/lib/provisioning";
import { oneParam as one, type PageParams } from "@/lib/http/page-params";
import {
  BUILT_IN_ROLE_PERMISSIONS,
  compileRegex,
  CUSTOM_ROLE_GRANTABLE,
  describeRule,
  PERMISSION_DESCRIPTIONS,
  PERMISSIONS,
  resolveIdentity,
} from "@/lib/rbac";
import {
  addRoleAction,
  addRuleAction,
  deleteRoleAction,
  deleteRuleAction,
  editRuleAction,
  importRulesAction,
  setDefaultRoleAction,
  setGroupsFilterAction,
} from "./actions";

export const metadata: Metadata = { title: "Mapping rules" };

const input = "rounded-md border border-slate-300 p-2";
const card = "rounded-lg border border-slate-200 bg-white p-8";

export default async function RulesPage({ searchParams }: { searchParams: Promise<PageParams> }) {
  const params = await searchParams;
  const whatIf = one(params.groups, 10_000) ?? "";
  return (
    <RequireAccess path="/admin/rules">
      {async ({ principal }) => {
        const db = await getDb();
        const organization = await organizationNamed(db, principal.connection);
        const { defaults } = organization;
        const rules = await getOrganizationRules(db, principal.organizationId);
        const ruleSet = await ruleSetFor(db, organization);
        const canWrite = principal.permissions.includes("rules.write");
        const roleNames = [...Object.keys(BUILT_IN_ROLE_PERMISSIONS), ...rules.customRoles.map((r) => r.name)];
        const whatIfGroups = whatIf
          .split(",")
          .map((g) => g.trim())
          .filter(Boolean)
          .slice(0, 1000);
        const preview =
          whatIfGroups.length > 0 ? resolveIdentity(ruleSet, { kind: "groups", groups: whatIfGroups }) : null;
        const filterNow = rules.groupsFilter ?? {
          allow: defaults.groupsAllow ?? ".*",
          block: defaults.groupsBlock ?? null,
        };
        const tryAllow = one(params.allow, 1000) ?? filterNow.allow;
        const tryBlock = one(params.block, 1000) ?? filterNow.block ?? "";
        const groupsSource = defaults.groupsSource ?? "claim";
        const seen = await listSeenGroups(db, principal.organizationId, groupsSource);
        const playground = playgroundOf(seen.groups, tryAllow, tryBlock);
        // Where the groups the playground tries come from, in the page's words.
        const seenWhere =
          groupsSource === "scim" ? "groups Okta pushes with someone active in them" : "groups seen in sign-ins so far";
        // Okta pushes this organization's groups: an exact rule naming a group it does not push grants nothing.
        const unmatched = groupsSource === "scim" ? await rulesMatchingNoGroup(db, principal.organizationId) : [];
        return (
          <div className="flex flex-col gap-6">
            <section className={card} aria-labelledby="rules">
              <h1 id="rules" className="text-2xl font-semibold">
                Mapping rules
              </h1>
              <p className="mt-1 text-slate-600">
                Every change shows its effect on everyone before you save it. A person&apos;s roles are the union of
                every rule one of their Okta groups matches. Names are compared exactly (case-sensitive, like Okta);
                patterns are RE2 regular expressions matched against the whole name. There are no deny rules.
              </p>
              <p className="mt-1 text-sm text-slate-500">
                Version {rules.version}
                {rules.updatedAt
                  ? ` · last changed ${rules.updatedAt.toUTCString()} by ${rules.updatedBy ?? "unknown"}`
                  : ""}
              </p>
              {unmatched.length > 0 ? (
                <p
                  role="alert"
                  className="mt-3 rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900"
                >
                  Okta pushes no group by these names (renamed in Okta, or not pushed), so these rules grant nothing:{" "}
                  {unmatched.join("; ")}.
                </p>
              ) : null}
              {ruleSet.problems.length > 0 ? (
                <ul role="alert" className="mt-3 list-disc rounded-md bg-amber-50 p-3 pl-8 text-sm text-amber-900">
                  {ruleSet.problems.map((p) => (
                    <li key={p}>{p}</li>
                  ))}
                </ul>
              ) : null}
              <table className="mt-6 w-full text-left text-sm">
                <TableHead columns={["When", "Role", "Added"]} actions />
                <tbody>
                  {defaults.adminGroups.map((g) => (
                    <tr key={`bg:${g}`} className="border-b border-slate-100">
                      <td className="py-2">group is &quot;{g}&quot;</td>
                      <td className="py-2 font-medium">admin</td>
                      <td className="py-2 text-slate-500" colSpan={2}>
                        Break-glass group of this organization (set in porter&apos;s configuration): cannot be removed
                        here.
                      </td>
                    </tr>
                  ))}
                  {rules.rules.map((r) => (
                    <tr
                      key={r.id}
                      id={`rule-${r.id}`}
                      className="border-b border-slate-100 align-top target:bg-amber-50"
                    >
                      <td className="py-2">
                        {describeRule(r)}
                        {canWrite ? (
                          <details className="mt-1 text-sm">
                            <summary className="cursor-pointer text-brand">Edit</summary>
                            <RuleChangeForm
                              action={editRuleAction}
                              label={`Edit rule ${describeRule(r)} -> ${r.role}`}
                              className="mt-2"
                            >
                              <input type="hidden" name="id" value={r.id} />
                              <MatcherFields roleNames={roleNames} match={r.match} pattern={r.pattern} role={r.role} />
                            </RuleChangeForm>
                          </details>
                        ) : null}
                      </td>
                      <td className="py-2 pr-2 font-medium">{r.role}</td>
                      <td className="py-2 whitespace-nowrap text-slate-500">
                        {r.createdBy}, {r.createdAt.toISOString().slice(0, 10)}
                      </td>
                      <td className="py-2 text-right">
                        {canWrite ? (
                          <RuleChangeForm
                            action={deleteRuleAction}
                            previewLabel="Delete…"
                            label={`Delete rule ${describeRule(r)} -> ${r.role}`}
                            tone="danger"
                          >
                            <input type="hidden" name="id" value={r.id} />
                          </RuleChangeForm>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {canWrite ? (
                <RuleChangeForm
                  action={addRuleAction}
                  previewLabel="Preview new rule"
                  label="Add a rule"
                  className="mt-6"
                >
                  <MatcherFields roleNames={roleNames} match="exact" pattern="" role="viewer" />
                </RuleChangeForm>
              ) : null}
            </section>

            <section className={card} aria-labelledby="filter">
              <h2 id="filter" className="text-lg font-semibold">
                Groups filter
              </h2>
              <p className="mt-1 text-sm text-slate-600">
                porter keeps only the Okta groups whose whole name matches <em>allow</em> and not <em>block</em> (RE2),{" "}
                {groupsSource === "scim"
                  ? "of the groups Okta pushes (Push Groups chooses which)."
                  : "on top of Okta's own groups claim filter."}{" "}
                Now: allow <code className="font-mono">/{filterNow.allow}/</code>
                {filterNow.block ? (
                  <>
                    , block <code className="font-mono">/{filterNow.block}/</code>
                  </>
                ) : null}{" "}
                ({rules.groupsFilter ? "set here" : "from the connection's configuration"}).
              </p>
              <form method="get" className="mt-3 flex flex-wrap items-end gap-3" aria-label="Try a groups filter">
                <label className="flex grow flex-col gap-1 text-sm">
                  Allow (RE2, whole name)
                  <input name="allow" defaultValue={tryAllow} maxLength={1000} className={`${input} font-mono`} />
                </label>
                <label className="flex grow flex-col gap-1 text-sm">
                  Block (optional)
                  <input name="block" defaultValue={tryBlock} maxLength={1000} className={`${input} font-mono`} />
                </label>
                <button
                  type="submit"
                  className="rounded-md border border-slate-300 px-4 py-2 text-slate-700 hover:bg-slate-100"
                >
                  Try it
                </button>
              </form>
              <div className="mt-3 text-sm" role="status" aria-label="Filter playground">
                {"error" in playground ? (
                  <p className="text-red-800">{playground.error}</p>
                ) : seen.groups.length === 0 ? (
                  <p className="text-slate-600">
                    {groupsSource === "scim"
                      ? "Okta has pushed no group with anyone active in it yet."
                      : "No groups seen in sign-ins yet."}
                  </p>
                ) : (
                  <>
                    <p>
                      Of the {seen.groups.length}
                      {seen.truncated ? "+" : ""} {seenWhere}, it keeps {playground.kept.length} and drops{" "}
                      {playground.dropped.length}.
                    </p>
                    <p className="mt-1 text-slate-600">
                      Dropped: <span className="font-mono">{playground.dropped.slice(0, 40).join(", ") || "none"}</span>
                      {playground.dropped.length > 40 ? ` and ${String(playground.dropped.length - 40)} more` : ""}
                    </p>
                  </>
                )}
              </div>
              {canWrite && !("error" in playground) ? (
                <RuleChangeForm
                  action={setGroupsFilterAction}
                  previewLabel="Preview this filter"
                  label="Set the groups filter"
                  className="mt-3"
                >
                  <input type="hidden" name="allow" value={tryAllow} />
                  <input type="hidden" name="block" value={tryBlock} />
                </RuleChangeForm>
              ) : null}
            </section>

            <section className={card} aria-labelledby="as-code">
              <h2 id="as-code" className="text-lg font-semibold">
                Rules as code
              </h2>
              <p className="mt-1 text-sm text-slate-600">
                Keep the rules, custom roles and default role in git and review them in pull requests. Export them, or
                import a document: it replaces everything at once, after the same preview. From the shell:{" "}
                <code className="font-mono">npm run rbac -- diff FILE</code> and{" "}
                <code className="font-mono">apply FILE</code>.
              </p>
              <div className="mt-3 flex gap-2 text-sm">
                <a
                  href="/admin/rules/export?format=yaml"
                  className="rounded-md border border-slate-300 px-3 py-1.5 text-slate-700 hover:bg-slate-100"
                >
                  Export YAML
                </a>
                <a
                  href="/admin/rules/export?format=json"
                  className="rounded-md border border-slate-300 px-3 py-1.5 text-slate-700 hover:bg-slate-100"
                >
                  Export JSON
                </a>
              </div>
              {canWrite ? (
                <RuleChangeForm
                  action={importRulesAction}
                  previewLabel="Preview import"
                  label="Import rules"
                  className="mt-4"
                >
                  <label className="flex w-full flex-col gap-1 text-sm">
                    YAML or JSON document
                    <textarea
                      name="document"
                      required
                      rows={6}
                      className={`${input} font-mono text-xs`}
                      placeholder={
                        "defaultRole: null\nroles: []\nrules:\n  - { match: exact, pattern: Port Admins, role: admin }"
                      }
                    />
                  </label>
                </RuleChangeForm>
              ) : null}
            </section>

            <section className={card} aria-labelledby="what-if">
              <h2 id="what-if" className="text-lg font-semibold">
                What if…
              </h2>
              <form method="get" className="mt-3 flex flex-wrap items-end gap-3">
                <label className="flex grow flex-col gap-1 text-sm">
                  Okta groups, comma-separated
                  <input
                    name="groups"
                    defaultValue={whatIf}
                    className={`${input} font-mono`}
                    placeholder="Engineering, team-payments"
                  />
                </label>
                <button
                  type="submit"
                  className="rounded-md border border-slate-300 px-4 py-2 text-slate-700 hover:bg-slate-100"
                >
                  Show roles
                </button>
              </form>
              {preview ? (
                <div className="mt-4 text-sm" role="status" aria-label="What-if result">
                  {preview.roles.length === 0 ? (
                    <p>No role: this person would see the no-access page.</p>
                  ) : (
                    <ul className="flex flex-col gap-1">
                      {preview.roles.map((r) => (
                        <li key={r.role}>
                          <strong>{r.role}</strong> ←{" "}
                          {r.via.map((v) => (v.group === null ? v.rule : `${v.group} (${v.rule})`)).join("; ")}
                        </li>
                      ))}
                    </ul>
                  )}
                  <p className="mt-2 text-slate-500">Permissions: {preview.permissions.join(", ") || "none"}</p>
                </div>
              ) : null}
            </section>

            <section className={card} aria-labelledby="roles">
              <h2 id="roles" className="text-lg font-semibold">
                Roles and permissions
              </h2>
              <div className="mt-3 overflow-x-auto">
                <table className="w-full text-left text-xs">
                  <thead className="border-b border-slate-200 text-slate-500">
                    <tr>
                      <th className="py-2 pr-3 font-medium">Role</th>
                      {PERMISSIONS.map((p) => (
                        <th key={p} className="px-1 py-2 font-mono font-medium" title={PERMISSION_DESCRIPTIONS[p]}>
                          {p}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {[
                      ...Object.entries(BUILT_IN_ROLE_PERMISSIONS).map(([name, permissions]) => ({
                        name,
                        permissions,
                        custom: false,
                      })),
                      ...rules.customRoles.map((r) => ({ name: r.name, permissions: r.permissions, custom: true })),
                    ].map((role) => (
                      <tr key={role.name} className="border-b border-slate-100">
                        <td className="py-2 pr-3 font-medium">
                          {role.name}{" "}
                          <span className="font-normal text-slate-500">{role.custom ? "custom" : "built-in"}</span>
                          {role.custom && canWrite ? (
                            <RuleChangeForm
                              action={deleteRoleAction}
                              previewLabel="Delete…"
                              label={`Delete role ${role.name}`}
                              tone="danger"
                              className="mt-1"
                            >
                              <input type="hidden" name="name" value={role.name} />
                            </RuleChangeForm>
                          ) : null}
                        </td>
                        {PERMISSIONS.map((p) => (
                          <td
                            key={p}
                            className="px-1 py-2 text-center"
                            aria-label={`${role.name} ${role.permissions.includes(p) ? "has" : "lacks"} ${p}`}
                          >
                            {role.permissions.includes(p) ? "✓" : ""}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {canWrite ? (
                <>
                  <RuleChangeForm
                    action={addRoleAction}
                    previewLabel="Preview new role"
                    label="Add a custom role"
                    className="mt-6"
                  >
                    <div className="flex w-full flex-wrap gap-3">
                      <label className="flex flex-col gap-1 text-sm">
                        Role name
                        <input
                          name="name"
                          required
                          pattern="[a-z][a-z0-9-]{1,39}"
                          className={`${input} font-mono`}
                          placeholder="release-manager"
                        />
                      </label>
                      <label className="flex grow flex-col gap-1 text-sm">
                        Description
                        <input name="description" maxLength={200} className={input} />
                      </label>
                    </div>
                    <fieldset className="flex flex-wrap gap-4 text-sm">
                      <legend className="mb-1">Permissions (rules.write stays with the built-in admin role)</legend>
                      {CUSTOM_ROLE_GRANTABLE.map((p) => (
                        <label key={p} className="flex items-center gap-1 font-mono">
                          <input type="checkbox" name="permissions" value={p} /> {p}
                        </label>
                      ))}
                    </fieldset>
                  </RuleChangeForm>
                  <RuleChangeForm
                    action={setDefaultRoleAction}
                    previewLabel="Preview default role"
                    label="Default role"
                    className="mt-6"
                  >
                    <label className="flex flex-col gap-1 text-sm">
                      Role for people no rule matches
                      <select name="role" className={input} defaultValue={rules.defaultRole ?? ""}>
                        <option value="">none: show the no-access page</option>
                        {roleNames
                          .filter((r) => r !== "admin")
                          .map((r) => (
                            <option key={r}>{r}</option>
                          ))}
                      </select>
                    </label>
                  </RuleChangeForm>
                </>
              ) : (
                <p className="mt-4 text-sm text-slate-600">
                  Default role: {rules.defaultRole ?? "none (no-access page)"}
                </p>
              )}
            </section>
          </div>
        );
      }}
    </RequireAccess>
  );
}

/** The matcher and role of a rule (new or edited). */
function MatcherFields({
  roleNames,
  match,
  pattern,
  role,
}: {
  roleNames: string[];
  match: string;
  pattern: string;
  role: string;
}) {
  return (
    <>
      <label className="flex flex-col gap-1 text-sm">
        Match
        <select name="match" className={input} defaultValue={match}>
          <option value="exact">group name is</option>
          <option value="regex">group name matches (RE2)</option>
        </select>
      </label>
      <label className="flex flex-col gap-1 text-sm">
        Group name or pattern
        <input
          name="pattern"
          required
          maxLength={1000}
          className={`${input} font-mono`}
          placeholder="team-.*"
          defaultValue={pattern}
        />
      </label>
      <label className="flex flex-col gap-1 text-sm">
        Role
        <select name="role" className={input} defaultValue={role}>
          {roleNames.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </label>
    </>
  );
}

/** Which of the groups seen so far a candidate filter keeps and drops. */
function playgroundOf(
  groups: readonly string[],
  allow: string,
  block: string,
): { kept: string[]; dropped: string[] } | { error: string } {
  const a = compileRegex(allow);
  if (!a.ok) return { error: `Allow: ${a.reason}` };
  const b = block ? compileRegex(block) : null;
  if (b && !b.ok) return { error: `Block: ${b.reason}` };
  const keep = (g: string) => a.regex.matches(g) && !(b?.ok ? b.regex.matches(g) : false);
  return { kept: groups.filter(keep), dropped: groups.filter((g) => !keep(g)) };
}
