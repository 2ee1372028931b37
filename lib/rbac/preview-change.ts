import type { CompiledRuleSet } from "./compile-rule-set";
import { ADMIN_ROLE } from "./permissions";
import { resolveIdentity } from "./resolve-identity";

/** A known person and their teams (kept groups as of their last sign-in or Okta event). */
export interface KnownUser {
  readonly id: string;
  /** As shown: email, else sub. */
  readonly label: string;
  readonly teams: readonly string[];
  /** The groups the source last sent, before the filter; when absent, the teams stand in. */
  readonly sourceGroups?: readonly string[] | null;
}

/** Who gained or lost which role because of a change. */
export interface RoleChange {
  userId: string;
  user: string;
  gained: string[];
  lost: string[];
}

export interface ChangePreview {
  readonly users: number;
  readonly affected: readonly RoleChange[];
  /** role -> people who would gain it / lose it. */
  readonly gains: Readonly<Record<string, readonly string[]>>;
  readonly losses: Readonly<Record<string, readonly string[]>>;
  /** People who hold admin through a rule now, and would through a rule after (break-glass aside). */
  readonly adminsByRuleBefore: number;
  readonly adminsByRuleAfter: number;
  /** Share of known people who would lose at least one role (0..1). */
  readonly losingShare: number;
}

/** Above this share of people losing a role, saving asks for a typed confirmation. */
export const CONFIRM_LOSING_SHARE = 0.1;

const viaRule = (roles: ReturnType<typeof resolveIdentity>["roles"]) =>
  roles.some((r) => r.role === ADMIN_ROLE && r.via.some((v) => v.ruleId !== "break-glass"));

/**
 * What a change does to everyone known, through the one identity pipeline sign-in uses (filter, rules,
 * break-glass): each person's roles under the current rules and under the proposed ones.
 */
export function previewChange(
  users: Iterable<KnownUser>,
  current: CompiledRuleSet,
  next: CompiledRuleSet,
): ChangePreview {
  const affected: RoleChange[] = [];
  const gains: Record<string, string[]> = {};
  const losses: Record<string, string[]> = {};
  let count = 0;
  let losing = 0;
  let adminsBefore = 0;
  let adminsAfter = 0;
  for (const user of users) {
    count++;
    const source = { kind: "groups" as const, groups: user.sourceGroups ?? user.teams };
    const before = resolveIdentity(current, source).roles;
    const after = resolveIdentity(next, source).roles;
    if (viaRule(before)) adminsBefore++;
    if (viaRule(after)) adminsAfter++;
    const beforeNames = new Set(before.map((r) => r.role));
    const afterNames = new Set(after.map((r) => r.role));
    const gained = [...afterNames].filter((r) => !beforeNames.has(r));
    const lost = [...beforeNames].filter((r) => !afterNames.has(r));
    if (gained.length === 0 && lost.length === 0) continue;
    affected.push({ userId: user.id, user: user.label, gained, lost });
    for (const r of gained) (gains[r] ??= []).push(user.label);
    for (const r of lost) (losses[r] ??= []).push(user.label);
    if (lost.length > 0) losing++;
  }
  return {
    users: count,
    affected,
    gains,
    losses,
    adminsByRuleBefore: adminsBefore,
    adminsByRuleAfter: adminsAfter,
    losingShare: count === 0 ? 0 : losing / count,
  };
}

/** "3 people lose admin: a, b, c; 12 gain viewer: …" (names capped), or that nobody's roles change. */
export function describePreview(preview: ChangePreview, maxNames = 5): string {
  const part = (verb: string, byRole: Readonly<Record<string, readonly string[]>>) =>
    Object.entries(byRole).map(([role, people]) => {
      const names =
        people.slice(0, maxNames).join(", ") +
        (people.length > maxNames ? ` and ${String(people.length - maxNames)} more` : "");
      return `${String(people.length)} ${people.length === 1 ? "person" : "people"} ${verb} ${role}: ${names}`;
    });
  const parts = [...part("lose", preview.losses), ...part("gain", preview.gains)];
  return parts.length === 0
    ? `Nobody's roles change (${String(preview.users)} known ${preview.users === 1 ? "person" : "people"}).`
    : `${parts.join("; ")}.`;
}

/** Why saving must be refused outright, or null. */
export function previewRefusal(preview: ChangePreview): string | null {
  if (preview.adminsByRuleBefore > 0 && preview.adminsByRuleAfter === 0) {
    return "This change would remove admin from everyone who holds it through a rule (only break-glass ADMIN_GROUPS would be left). Keep or add an admin rule that matches someone first.";
  }
  return null;
}

/** Whether saving needs a typed confirmation (more than 10% of people would lose a role). */
export function needsConfirmation(preview: ChangePreview): boolean {
  return preview.losingShare > CONFIRM_LOSING_SHARE;
}
