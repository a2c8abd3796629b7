// The cross-job scheduler: which queued job a free member takes next. Priority first (1 is the
// most urgent, 10 the least, 5 by default), then fair share between submitters: among jobs of one
// priority, the submitter with fewer jobs queued or running goes first, so one person's hundred
// jobs do not hold back another's one. Ties go in submission order.
//
// The decision is folded into the number BullMQ orders its queue by when a job is enqueued, so the
// queue hands out jobs in exactly this order without any member scanning it.

export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 10;
export const DEFAULT_PRIORITY = 5;

/** How many outstanding jobs of one submitter the fair share tells apart (more count as this many). */
const SHARE_SLOTS = 10_000;

/** BullMQ's queue order for a job (smaller runs first; BullMQ keeps submission order among equals). */
export function queueOrder(priority: number, submitterOutstanding: number): number {
  const band = Math.min(MAX_PRIORITY, Math.max(MIN_PRIORITY, Math.round(priority))) - MIN_PRIORITY;
  const share = Math.min(SHARE_SLOTS - 1, Math.max(0, Math.floor(submitterOutstanding)));
  // +1: BullMQ treats 0 as "no priority" and serves such jobs before every prioritised one.
  return band * SHARE_SLOTS + share + 1;
}

/** The priority a queued job's order stands for, for status views. */
export function priorityOfOrder(order: number): number {
  return Math.floor((order - 1) / SHARE_SLOTS) + MIN_PRIORITY;
}
