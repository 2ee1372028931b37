import "server-only";

export {
  addCustomRole,
  addRule,
  applyRuleChange,
  deleteCustomRole,
  deleteRule,
  editRule,
  previewRuleChange,
  rulesState,
  setDefaultRole,
  StalePreviewError,
  type Actor,
  type ApplyOptions,
  type ChangeResult,
  type RoleChange,
  type RulePreview,
} from "./manage-rules";
export { applySeedOnce } from "./apply-seed";
export { parseSeed, readSeedFile, type Seed } from "./seed";
export { requestRuleChange, toPreviewView, type PreviewView, type RuleChangeOutcome } from "./request-rule-change";
export { formatRulesDocument, MAX_DOCUMENT_RULES, parseRulesDocument } from "./rules-document";
