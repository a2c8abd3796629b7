// The `mozart/plan` request between the editor and the language server: the plan of an open score
// (the one `mozart run --dry-run` prints, built by score/src/plan-view.ts) and, when asked, one
// sheet's prompt, both from the document's current text in the editor, not the file on disk.
// Types only: the language server fills them from the score engine (which checks, at compile time,
// that these shapes still match its own), and the extension reads them.

/** The custom LSP method. */
export const PLAN_METHOD = 'mozart/plan';

export interface PlanParams {
  /** The score document's URI, as the editor knows it. */
  uri: string;
  /** Also build this sheet's prompt (1-based). */
  promptSheet?: number;
}

/** One validation rule as it applies to one sheet, placeholders filled in. */
export interface PlanRuleData {
  index: number;
  type: string;
  description: string;
  target: string;
  stage: number;
}

export interface PlanSheetData {
  num: number;
  stage: number;
  instance: number;
  fanCount: number;
  startItem: number;
  endItem: number;
  dependsOn: number[];
  validations: PlanRuleData[];
  skipWhen?: string;
  skipWhenCommand?: string;
}

export interface PlanData {
  name: string;
  backend: string;
  workspace: string;
  totalSheets: number;
  totalStages: number;
  order: 'sequential' | 'dependencies';
  maxConcurrent: number;
  sheets: PlanSheetData[];
}

export interface PlanPromptData {
  sheet: number;
  prompt?: string;
  error?: string;
  notes: string[];
}

/** One finding, in short (the editor's Problems view has the full list). */
export interface PlanFinding {
  severity: 'error' | 'warning' | 'info';
  checkId: string;
  message: string;
  /** 1-based line in the score, when the finding is in it. */
  line?: number;
}

export interface PlanResult {
  uri: string;
  /** The document version the answer was computed from. */
  version: number;
  /** The plan, or null when there is none (see `reason`). */
  plan: PlanData | null;
  /** Why there is no plan (not a score, not open, cannot be read or planned). */
  reason?: string;
  prompt?: PlanPromptData | null;
  findings: { errors: number; warnings: number; infos: number; first: PlanFinding[] };
}
