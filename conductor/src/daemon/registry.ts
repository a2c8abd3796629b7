// The conductor's registry of jobs: one small JSON file per job in a user-only folder, so a
// restarted conductor knows every job again. Read from disk once, then kept in step with every
// change (the conductor is its only writer), so answering a question never rescans the folder.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateWriteError } from '../state/journal-store.js';

/** What the conductor remembers of a job besides its checkpoint. */
export interface RegistryEntry {
  jobId: string;
  scoreFile: string;
  workspace: string;
  /** --self-healing (and --yes), kept so a resumed or restarted job heals the same way. */
  selfHealing?: { autoConfirm: boolean };
  /** In a cluster: who submitted it (the fair share is kept between submitters). */
  submitter?: string;
  /** In a cluster: the member that ran it last. */
  lastMember?: string;
  /** The workspace was chosen for the job (a concert's job_workspace), not read from its score. */
  workspaceGiven?: true;
  /** sheet.descriptions of its score, so status can label sheets without reading the score again. */
  descriptions?: Record<string, string>;
  /** Its place in a concert, when a run_job hook started it. */
  concert?: { id: string; depth: number; parent: string; root: string };
  /** concert.max_chain_depth of its score. */
  maxChainDepth?: number;
  /**
   * Its last run stopped on a write the disk refused, and not even the failure reached its
   * checkpoint (which still says running): whoever resumes it — this conductor or the next one —
   * checks the sheets whose end went unrecorded before running them. Cleared by that resume.
   */
  stoppedOnDisk?: true;
}

/** What the job manager needs of a registry: this folder of files, or the cluster's (cluster/registry.ts). */
export interface JobRegistryStore {
  /** The folder the health check tests for writing. */
  readonly dir: string;
  readonly size: number;
  entries(): RegistryEntry[];
  get(jobId: string): RegistryEntry | undefined;
  put(entry: RegistryEntry): void;
  remove(jobId: string): void;
}

export class JobRegistry implements JobRegistryStore {
  private cache: Map<string, RegistryEntry> | undefined;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private get known(): Map<string, RegistryEntry> {
    if (!this.cache) {
      this.cache = new Map();
      for (const name of readdirSync(this.dir).filter((f) => f.endsWith('.json'))) {
        try {
          const entry = JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as RegistryEntry;
          if (typeof entry.jobId === 'string' && typeof entry.workspace === 'string' && typeof entry.scoreFile === 'string') this.cache.set(entry.jobId, entry);
        } catch {
          /* an unreadable entry lists nothing; the file stays for the user to inspect */
        }
      }
    }
    return this.cache;
  }

  get size(): number {
    return this.known.size;
  }

  entries(): RegistryEntry[] {
    return [...this.known.values()];
  }

  get(jobId: string): RegistryEntry | undefined {
    return this.known.get(jobId);
  }

  /**
   * Records a job; written to a temporary file and renamed, so a crash never leaves half an entry.
   * A write that fails (a full disk) leaves no temporary file, and says which file it was.
   */
  put(entry: RegistryEntry): void {
    const file = this.fileOf(entry.jobId);
    const temp = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, JSON.stringify(entry), { mode: 0o600 });
      renameSync(temp, file);
    } catch (error) {
      rmSync(temp, { force: true });
      throw new StateWriteError((error as NodeJS.ErrnoException).code, temp, `${(error as Error).message} (writing ${temp})`);
    }
    this.known.set(entry.jobId, entry);
  }

  remove(jobId: string): void {
    rmSync(this.fileOf(jobId), { force: true });
    this.known.delete(jobId);
  }

  private fileOf(jobId: string): string {
    return join(this.dir, `${jobId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
  }
}
