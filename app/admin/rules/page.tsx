import type { Metadata } from "next";
import { RuleChangeForm } from "@/components/rule-change-form";
import { RequireAccess } from "@/components/require-access";
import { TableHead } from "@/components/table-head";
import { getCompiledRuleSet, getOrganizationRules } from "@/lib/access";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { BUILT_IN_ROLE_PERMISSIONS, CUSTOM_ROLE_GRANTABLE, describeRule, PERMISSION_DESCRIPTIONS, PERMISSIONS } from "@/lib/rbac";
import { addRoleAction, addRuleAction, deleteRoleAction, deleteRuleAction, editRuleAction, setDefaultRoleAction } from "./actions";

export const metadata: Metadata = { title: "Mapping rules" };

const input = "rounded-md border border-slate-300 p-2";
const card = "rounded-lg border border-slate-200 bg-white p-8";

export default async function RulesPage({ searchParams }: { searchParams: Promise<{ groups?: string | string[] }> }) {
  const { groups } = await searchParams;
  const whatIf = typeof groups === "string" ? groups.slice(0, 10_000) : "";
  return (
    <RequireAccess permission="rules.read" path="/admin/rules">
      {async ({ principal }) => {
        const db = await getDb();
        const config = getConfig();
        const rules = await getOrganizationRules(db, principal.organizationId);
        const ruleSet = await getCompiledRuleSet(db, principal.organizationId, config.adminGroups);
        const canWrite = principal.permissions.includes("rules.write");
        const roleNames = [...Object.keys(BUILT_IN_ROLE_PERMISSIONS), ...rules.customRoles.map((r) => r.name)];
        const whatIfGroups = whatIf.split(",").map((g) => g.trim()).filter(Boolean).slice(0, 1000);
        const preview = whatIfGroups.length > 0 ? ruleSet.resolve(whatIfGroups) : null;
        return (
          <div className="flex flex-col gap-6">
            <section className={card} aria-labelledby="rules">
              <h1 id="rules" className="text-2xl font-semibold">
                Mapping rules
              </h1>
              <p className="mt-1 text-slate-600">
                Every change shows its effect on everyone before you save it. A person&apos;s roles are the union of every rule one of their Okta groups matches. Names are compared exactly (case-sensitive,
                like Okta); patterns are RE2 regular expressions matched against the whole name. There are no deny rules.
              </p>
              <p className="mt-1 text-sm text-slate-500">
                Version {rules.version}
                {rules.updatedAt ? ` · last changed ${rules.updatedAt.toUTCString()} by ${rules.updatedBy ?? "unknown"}` : ""}
              </p>
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
                  {config.adminGroups.map((g) => (
                    <tr key={`bg:${g}`} className="border-b border-slate-100">
                      <td className="py-2">group is &quot;{g}&quot;</td>
                      <td className="py-2 font-medium">admin</td>
                      <td className="py-2 text-slate-500" colSpan={2}>
                        Break-glass (ADMIN_GROUPS in the environment): cannot be removed here.
                      </td>
                    </tr>
                  ))}
                  {rules.rules.map((r) => (
                    <tr key={r.id} id={`rule-${r.id}`} className="border-b border-slate-100 align-top target:bg-amber-50">
                      <td className="py-2">
                        {describeRule(r)}
                        {canWrite ? (
                          <details className="mt-1 text-sm">
                            <summary className="cursor-pointer text-brand">Edit</summary>
                            <RuleChangeForm action={editRuleAction} label={`Edit rule ${describeRule(r)} -> ${r.role}`} className="mt-2">
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
                          <RuleChangeForm action={deleteRuleAction} previewLabel="Delete…" label={`Delete rule ${describeRule(r)} -> ${r.role}`} tone="danger">
                            <input type="hidden" name="id" value={r.id} />
                          </RuleChangeForm>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {canWrite ? (
                <RuleChangeForm action={addRuleAction} previewLabel="Preview new rule" label="Add a rule" className="mt-6">
                  <MatcherFields roleNames={roleNames} match="exact" pattern="" role="viewer" />
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
                  <input name="groups" defaultValue={whatIf} className={`${input} font-mono`} placeholder="Engineering, team-payments" />
                </label>
                <button type="submit" className="rounded-md border border-slate-300 px-4 py-2 text-slate-700 hover:bg-slate-100">
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
                          <strong>{r.role}</strong> ← {r.via.map((v) => (v.group === null ? v.rule : `${v.group} (${v.rule})`)).join("; ")}
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
                      ...Object.entries(BUILT_IN_ROLE_PERMISSIONS).map(([name, permissions]) => ({ name, permissions, custom: false })),
                      ...rules.customRoles.map((r) => ({ name: r.name, permissions: r.permissions, custom: true })),
                    ].map((role) => (
                      <tr key={role.name} className="border-b border-slate-100">
                        <td className="py-2 pr-3 font-medium">
                          {role.name} <span className="font-normal text-slate-400">{role.custom ? "custom" : "built-in"}</span>
                          {role.custom && canWrite ? (
                            <RuleChangeForm action={deleteRoleAction} previewLabel="Delete…" label={`Delete role ${role.name}`} tone="danger" className="mt-1">
                              <input type="hidden" name="name" value={role.name} />
                            </RuleChangeForm>
                          ) : null}
                        </td>
                        {PERMISSIONS.map((p) => (
                          <td key={p} className="px-1 py-2 text-center" aria-label={`${role.name} ${role.permissions.includes(p) ? "has" : "lacks"} ${p}`}>
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
                  <RuleChangeForm action={addRoleAction} previewLabel="Preview new role" label="Add a custom role" className="mt-6">
                    <div className="flex w-full flex-wrap gap-3">
                      <label className="flex flex-col gap-1 text-sm">
                        Role name
                        <input name="name" required pattern="[a-z][a-z0-9-]{1,39}" className={`${input} font-mono`} placeholder="release-manager" />
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
                  <RuleChangeForm action={setDefaultRoleAction} previewLabel="Preview default role" label="Default role" className="mt-6">
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
                <p className="mt-4 text-sm text-slate-600">Default role: {rules.defaultRole ?? "none (no-access page)"}</p>
              )}
            </section>
          </div>
        );
      }}
    </RequireAccess>
  );
}

/** The matcher and role of a rule (new or edited). */
function MatcherFields({ roleNames, match, pattern, role }: { roleNames: string[]; match: string; pattern: string; role: string }) {
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
        <input name="pattern" required maxLength={1000} className={`${input} font-mono`} placeholder="team-.*" defaultValue={pattern} />
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
