// Notices a conductor appearing (started from a terminal or another window) without polling: it
// watches the socket's folder, or, while that folder does not exist yet, its nearest existing
// ancestor, moving down as folders are created.
import { existsSync, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { dirname } from 'node:path';

export class SocketWatcher {
  private watcher: FSWatcher | undefined;
  private watched: string | undefined;

  constructor(
    private readonly socketPath: string,
    private readonly onChange: () => void,
  ) {}

  /** Starts watching (again); harmless when already watching. */
  start(): void {
    const target = nearestExisting(dirname(this.socketPath));
    if (this.watcher && this.watched === target) return;
    this.stop();
    if (!target) return;
    try {
      this.watcher = watch(target, () => {
        // The socket's folder may just have been created: watch it instead of its parent.
        if (this.watched !== dirname(this.socketPath) && existsSync(dirname(this.socketPath))) this.start();
        this.onChange();
      });
      this.watcher.on('error', () => this.stop());
      this.watched = target;
    } catch {
      this.watcher = undefined;
    }
  }

  stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.watched = undefined;
  }
}

function nearestExisting(dir: string): string | undefined {
  let current = dir;
  for (;;) {
    if (existsSync(current)) return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}
