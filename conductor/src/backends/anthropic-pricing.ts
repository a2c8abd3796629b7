// Estimated cost of one Messages API call, for cost_limits and `status`. An estimate only: the
// invoice is the truth. Prices are Anthropic's published list prices (anthropic.com/pricing) for
// standard-context requests in USD per million tokens, as of late 2025; they change, so a model
// that is not listed gets no cost here and the runner falls back to cost_limits'
// cost_per_1k_*_tokens rates instead of us guessing.

interface Price {
  input: number;
  output: number;
}

/** Keys are model ids without their date suffix (claude-sonnet-4-20250514 → claude-sonnet-4). */
const PRICES: Readonly<Record<string, Price>> = {
  'claude-opus-4-5': { input: 5, output: 25 },
  'claude-opus-4-1': { input: 15, output: 75 },
  'claude-opus-4': { input: 15, output: 75 },
  'claude-opus-4-0': { input: 15, output: 75 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-sonnet-4-0': { input: 3, output: 15 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-3-5-sonnet': { input: 3, output: 15 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-3-opus': { input: 15, output: 75 },
  'claude-3-haiku': { input: 0.25, output: 1.25 },
};

/** Prompt-cache writes (5-minute) cost 1.25× the input price, cache reads 0.1× (same source). */
const CACHE_WRITE = 1.25;
const CACHE_READ = 0.1;

export interface UsageCounts {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

/** Exact ids only after stripping the date: a prefix match would price claude-opus-4-6 as Opus 4. */
export function priceKey(model: string): string {
  return model.replace(/-(\d{8}|latest)$/, '');
}

/** USD for the usage, or undefined when the model's price is not known. */
export function estimateCostUsd(model: string, usage: UsageCounts): number | undefined {
  const price = PRICES[priceKey(model)];
  if (!price) return undefined;
  const inputEquivalent = usage.input + usage.cacheWrite * CACHE_WRITE + usage.cacheRead * CACHE_READ;
  return (inputEquivalent * price.input + usage.output * price.output) / 1_000_000;
}
