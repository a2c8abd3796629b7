// Which sheet starts next: each pending sheet counts its unfinished prerequisites and enters a
// ready queue (lowest number first) when the count reaches zero. O(sheets + edges) per job run,
// so scheduling cost stays flat however large the job is.
import type { PlannedSheet, SheetPlan } from '../../../score/src/plan.js';
import type { Score } from '../../../score/src/score-types.js';
import type { SheetState } from '../../../protocol/src/job-state.js';

export class SheetScheduler {
  private readonly ready = new MinQueue();
  private readonly unmet = new Map<number, number>();
  private readonly dependents = new Map<number, number[]>();

  constructor(
    private readonly plan: SheetPlan,
    score: Pick<Score, 'parallel'>,
    sheets: Readonly<Record<string, Pick<SheetState, 'status'>>>,
  ) {
    const isDone = (num: number) => {
      const status = sheets[String(num)]?.status;
      return status === 'completed' || status === 'skipped';
    };
    // What a sheet waits for: its declared dependencies, or (run in order) the sheet before it.
    const inOrder = !plan.hasDependencies && !score.parallel.enabled;
    for (const sheet of plan.sheets) {
      const prerequisites = inOrder ? (sheet.num > 1 ? [sheet.num - 1] : []) : sheet.dependsOn;
      const unmet = prerequisites.filter((dep) => !isDone(dep));
      for (const dep of unmet) {
        const list = this.dependents.get(dep) ?? [];
        list.push(sheet.num);
        this.dependents.set(dep, list);
      }
      this.unmet.set(sheet.num, unmet.length);
      if (unmet.length === 0 && sheets[String(sheet.num)]?.status === 'pending') this.ready.push(sheet.num);
    }
  }

  get readyCount(): number {
    return this.ready.size;
  }

  /** The lowest-numbered ready sheet. */
  next(): PlannedSheet | undefined {
    const num = this.ready.pop();
    return num === undefined ? undefined : this.plan.sheets[num - 1];
  }

  /** A sheet completed or was skipped: release the sheets waiting on it. */
  finished(num: number): void {
    for (const dependent of this.dependents.get(num) ?? []) {
      const left = (this.unmet.get(dependent) ?? 1) - 1;
      this.unmet.set(dependent, left);
      if (left === 0) this.ready.push(dependent);
    }
  }
}

/** A min-heap of sheet numbers: ready sheets start lowest number first. */
class MinQueue {
  private readonly heap: number[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(value: number): void {
    const h = this.heap;
    h.push(value);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if ((h[parent] as number) <= value) break;
      h[i] = h[parent] as number;
      h[parent] = value;
      i = parent;
    }
  }

  pop(): number | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    h[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && (h[l] as number) < (h[m] as number)) m = l;
      if (r < h.length && (h[r] as number) < (h[m] as number)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m] as number, h[i] as number];
      i = m;
    }
    return top;
  }
}
