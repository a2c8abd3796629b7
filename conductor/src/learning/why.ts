// `patterns-why`: the conditions seen when the attempts a pattern was applied to passed, read as
// a short explanation with what to do about it. Pure.
import type { PatternView, PatternWhy } from '../../../protocol/src/learning.js';
import type { ApplicationStats } from './aggregate.js';
import { top } from './detect.js';

/** The analysis of one pattern (with its view) from its application totals. */
export function analyseWhy(pattern: PatternView, a: ApplicationStats | undefined): PatternWhy {
  const f = a?.factors;
  if (!a || !f || f.observations <= 0) {
    return {
      pattern,
      hasFactors: false,
      observations: 0,
      successRate: 0,
      confidence: 0,
      factorsSummary: 'No success factors captured yet',
      keyConditions: [],
      recommendations: ['Apply this pattern more times to capture success factors'],
      factors: { validationTypes: [], errorCategories: [] },
    };
  }
  const validationTypes = top(f.validationTypes, 10);
  const errorCategories = top(f.errorCategories, 10);
  const timeOfDay = top(f.timeOfDay, 1)[0];
  const typical = top(f.attempts, 1)[0];
  const typicalAttempt = typical !== undefined ? Number(typical) : undefined;
  const successRate = a.applications > 0 ? a.successes / a.applications : 0;
  const summary = [
    ...(validationTypes.length ? [`validation types: ${validationTypes.join(', ')}`] : []),
    ...(errorCategories.length ? [`after errors: ${errorCategories.join(', ')}`] : []),
    ...(timeOfDay ? [`typically succeeds in: ${timeOfDay}`] : []),
  ];
  const keyConditions = [
    ...(typicalAttempt === 1 ? ['Succeeds on the first attempt'] : typicalAttempt !== undefined ? [`Usually succeeds on attempt ${typicalAttempt}`] : []),
    ...(validationTypes.length ? [`Works with ${validationTypes.length} validation type${validationTypes.length === 1 ? '' : 's'}`] : []),
    ...(a.explorations > 0 ? [`${a.explorations} of ${a.applications} applications were exploration`] : []),
  ];
  const recommendations = [
    ...(f.observations < 5 ? ['Need more observations for reliable analysis'] : []),
    ...(successRate > 0.8 ? ['High confidence pattern - consider for auto-apply'] : []),
    ...(successRate < 0.5 ? ['Low success rate - review pattern relevance'] : []),
    ...(timeOfDay ? [`Best applied during ${timeOfDay}`] : []),
  ];
  return {
    pattern,
    hasFactors: true,
    observations: f.observations,
    successRate,
    confidence: Math.min(1, f.observations / 10) * successRate,
    factorsSummary: summary.length ? summary.join('; ') : 'Context captured',
    keyConditions,
    recommendations,
    factors: { validationTypes, errorCategories, ...(timeOfDay ? { timeOfDay } : {}), ...(typicalAttempt !== undefined ? { typicalAttempt } : {}) },
  };
}
