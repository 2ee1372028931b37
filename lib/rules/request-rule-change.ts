import type { AuditEvent } from "../audit/events";
import { actedBy } from "../audit/events";
import type { Db } from "../db/client";
import { describePreview, RbacError, type RuleChange } from "../rbac";
import {
  applyRuleChange,
  previewRuleChange,
  StalePreviewError,
  type Actor,
  type ChangeResult,
  type RulePreview,
} from "./manage-rules";

/** What the console shows of a preview (plain data for the browser). */
export interface PreviewView {
  summary: string;
  /** "3 people lose admin: …; 12 gain viewer: …" */
  text: string;
  users: number;
  affected: number;
  gains: Record<string, string[]>;
  losses: Record<string, string[]>;
  token: string;
  refusal: string | null;
  confirm: string | null;
  losingPercent: number;
}

const NAMES_SHOWN = 25;

export function toPreviewView(p: RulePreview): PreviewView {
  const cap = (byRole: Readonly<Record<string, readonly string[]>>) =>
    Object.fromEntries(Object.entries(byRole).map(([role, people]) => [role, people.slice(0, NAMES_SHOWN)]));
  return {
    summary: p.summary,
    text: describePreview(p),
    users: p.users,
    affected: p.affected.length,
    gains: cap(p.gains),
    losses: cap(p.losses),
    token: p.token,
    refusal: p.refusal,
    confirm: p.confirm,
    losingPercent: Math.round(p.losingShare * 100),
  };
}

export type RuleChangeOutcome =
  { kind: "preview"; preview: PreviewView; notice?: string } | { kind: "saved"; result: ChangeResult };

/**
 * The console's two steps for every change of the rules: "preview" shows its effect on every known
 * person; "save" applies exactly that preview (its token) or, when something changed meanwhile, shows
 * the new preview instead. A refused save is audited (rules.refused) with the reason.
 */
export async function requestRuleChange(
  db: Db,
  actor: Actor,
  change: RuleChange,
  request: { intent: "preview" | "save"; token?: string | undefined; confirmation?: string | undefined },
  audit: (event: AuditEvent) => Promise<void>,
): Promise<RuleChangeOutcome> {
  if (request.intent === "preview")
    return { kind: "preview", preview: toPreviewView(await previewRuleChange(db, actor, change)) };
  try {
    return {
      kind: "saved",
      result: await applyRuleChange(db, actor, change, {
        token: request.token ?? "",
        confirmation: request.confirmation?.trim() ?? "",
      }),
    };
  } catch (err) {
    if (err instanceof RbacError) {
      await audit({
        type: "rules.refused",
        ...actedBy(actor),
        reason: err.code,
        details: { change: describeChange(change), reason: err.userMessage },
      });
    }
    if (err instanceof StalePreviewError)
      return { kind: "preview", preview: toPreviewView(err.preview), notice: err.userMessage };
    throw err;
  }
}

function describeChange(change: RuleChange): Record<string, unknown> {
  if (change.kind === "replace_all")
    return {
      kind: change.kind,
      source: change.source,
      rules: change.state.rules.length,
      roles: change.state.customRoles.length,
    };
  return { ...change };
}
