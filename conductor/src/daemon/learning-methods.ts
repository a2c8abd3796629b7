// The conductor's learning methods (`learning.*`), answered by the learning hub. Their params
// arrive checked against protocol/src/learning-schemas.ts; when the learning store could not be
// opened, every method says so instead of answering with nothing.
import { RPC_ERRORS } from '../../../protocol/src/framing.js';
import type { LearningMethods } from '../../../protocol/src/learning.js';
import type { DiagnoseReport, Params, Result } from '../../../protocol/src/methods.js';
import { responseNeeded } from '../learning/entropy.js';
import type { LearningHub } from '../learning/hub.js';
import type { LearningSnapshot } from '../learning/queries.js';
import { budgetReport, entropyStatus, findPattern, learningActivity, learningDrift, learningEpistemicDrift, learningStats, listPatterns, patternView, sheetPatterns } from '../learning/queries.js';
import { analyseWhy } from '../learning/why.js';
import { MethodError } from './server.js';

export type LearningHandlers = { [M in keyof LearningMethods]: (params: Params<M>) => Promise<Result<M>> };

/** `{ [key]: value }` when value is defined (optional fields stay absent). */
const opt = <K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } => (value === undefined || value === null ? {} : { [key]: value }) as { [P in K]?: V };

/** The entropy response check's defaults (the original's): diversity 0.3, an hour's cooldown. */
const CHECK_THRESHOLD = 0.3;
const CHECK_COOLDOWN_SECONDS = 3600;

/** The learning handlers over `hub` (or refusals saying why there is none). */
export function learningHandlers(hub: LearningHub | undefined, unavailable: string, storePath: string): LearningHandlers {
  const use = (): LearningHub => {
    if (!hub) throw new MethodError(RPC_ERRORS.refused, `The learning store is not available: ${unavailable}`);
    return hub;
  };
  const snap = (): LearningSnapshot => {
    const h = use();
    return { aggregate: h.store.aggregate, state: h.state, now: Date.now(), store: { path: storePath, ...h.store.info, maxOutcomes: h.store.maxOutcomes, maxAgeDays: h.store.maxAgeDays } };
  };
  const find = (s: LearningSnapshot, id: string) => {
    try {
      return findPattern(s, id);
    } catch (error) {
      throw new MethodError(RPC_ERRORS.refused, (error as Error).message);
    }
  };
  return {
    'learning.patterns': async (p) => listPatterns(snap(), { ...opt('minPriority', p.minPriority), ...opt('limit', p.limit), ...opt('status', p.status), ...opt('minTrust', p.minTrust), ...opt('maxTrust', p.maxTrust), ...opt('kind', p.kind) }),
    'learning.why': async (p) => {
      const s = snap();
      if (p.id) {
        const pattern = find(s, p.id);
        return [analyseWhy(patternView(pattern), s.aggregate.applications[pattern.id])];
      }
      const min = p.minObservations ?? 1;
      return listPatterns(s, { limit: Number.MAX_SAFE_INTEGER })
        .map((view) => analyseWhy(view, s.aggregate.applications[view.id]))
        .filter((w) => w.hasFactors && w.observations >= min)
        .slice(0, p.limit ?? 10);
    },
    'learning.stats': async () => learningStats(snap()),
    'learning.activity': async (p) => learningActivity(snap(), p.hours ?? 24),
    'learning.drift': async (p) => learningDrift(snap(), { ...opt('threshold', p.threshold), ...opt('window', p.window), ...opt('limit', p.limit) }),
    'learning.epistemicDrift': async (p) => learningEpistemicDrift(snap(), { ...opt('threshold', p.threshold), ...opt('window', p.window), ...opt('limit', p.limit) }),
    'learning.entropy': async (p) => {
      const h = use();
      const current = h.measure(p.threshold ?? 0.5);
      const record = p.record === true;
      if (record) h.store.decide({ t: 'entropy', measure: current });
      return { current, history: p.history === true ? h.state.entropy.slice(-(p.limit ?? 20)).reverse() : [], recorded: record };
    },
    'learning.budget': async (p) => budgetReport(snap(), p.job ?? undefined, p.limit ?? 20),
    'learning.entropyStatus': async (p) => {
      const s = snap();
      const job = p.job ?? undefined;
      const report = entropyStatus(s, job, p.limit ?? 20);
      if (p.check !== true) return report;
      const measure = use().measure(CHECK_THRESHOLD, job);
      const verdict = responseNeeded(measure, CHECK_THRESHOLD, CHECK_COOLDOWN_SECONDS, report.last, s.now);
      const measured = measure.applications > 0 && !verdict.reason.startsWith('Cooldown');
      return { ...report, check: { ...verdict, ...(measured ? { entropy: measure.diversity } : {}) } };
    },
    'learning.setStatus': async (p) => {
      const pattern = find(snap(), p.id);
      use().setStatus(pattern.id, p.status, p.reason ?? undefined);
      return patternView(find(snap(), pattern.id));
    },
    'learning.sheetPatterns': async (p) => sheetPatterns(snap(), p.jobId, p.sheet),
  };
}

/** The diagnose report with, for each failing sheet, the learned patterns its latest prompt carried. */
export function withAppliedPatterns(report: DiagnoseReport, hub: LearningHub | undefined): DiagnoseReport {
  if (!hub) return report;
  const s: LearningSnapshot = { aggregate: hub.store.aggregate, state: hub.state, now: Date.now(), store: { path: '', outcomes: 0, damagedLines: 0, maxOutcomes: 0, maxAgeDays: 0 } };
  return {
    ...report,
    failingSheets: report.failingSheets.map((sheet) => {
      const patterns = sheetPatterns(s, report.job.jobId, sheet.sheet);
      return patterns.length > 0 ? { ...sheet, patterns } : sheet;
    }),
  };
}
