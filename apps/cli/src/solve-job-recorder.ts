import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { JobLifecycle, type HeldJob } from '@rstar/job-lifecycle';
import type { SearchConfig, SearchReport } from '@rstar/mcts';
import type { SolveJobStore } from '@rstar/persistence';
import { errorText } from './job-database.js';

/** The worker name a CLI process claims its jobs under. */
export function cliWorkerId(pid: number = process.pid, host: string = hostname()): string {
  return `cli@${host}:${pid}`;
}

/** Whether a process of this machine still runs (signal 0 only checks; EPERM: it runs as another user). */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Stores each search of one `rstar solve` run as a solve job, through the lifecycle a search worker uses
 * (create → claim → complete, or fail), so a job the CLI ran reads like one the deployment ran. The jobs of
 * one run share a correlation id. A database failure never stops the solve: it is noted here, and the command
 * reports it after the result.
 */
export class SolveJobRecorder {
  private readonly failures: string[] = [];
  private readonly lifecycle: JobLifecycle;
  private readonly held = new Map<string, HeldJob>();

  constructor(
    jobs: SolveJobStore,
    private readonly workerId: string = cliWorkerId(),
    readonly correlationId: string = randomUUID(),
  ) {
    this.lifecycle = new JobLifecycle(jobs);
  }

  /**
   * Creates and claims the job of one search; null (and the failure noted) when the database refused.
   * `rolloutsTotal` is what the method will report progress against (1 for greedy, the depth for beam), which
   * the job, created with `config.rollouts`, is told when it differs.
   */
  async begin(question: string, referenceAnswer: string | null, config: SearchConfig, rolloutsTotal: number = config.rollouts): Promise<string | null> {
    try {
      const job = await this.lifecycle.start({ question, referenceAnswer, config, correlationId: this.correlationId }, this.workerId, rolloutsTotal);
      this.held.set(job.id, job);
      return job.id;
    } catch (error) {
      this.note(error);
      return null;
    }
  }

  /**
   * A CLI process that was killed (SIGKILL, a crash) leaves its job running with no one to finish it; no queue
   * hands it to another worker as in the deployment. Jobs claimed by a `rstar solve` of this machine whose
   * process is gone are abandoned here. Returns how many.
   */
  async failOrphans(isRunning: (pid: number) => boolean = processRuns, host: string = hostname()): Promise<number> {
    const isGone = (workerId: string): boolean => {
      const pid = orphanPid(workerId, host);
      return pid !== null && pid !== process.pid && !isRunning(pid);
    };
    try {
      return await this.lifecycle.abandonOrphans(isGone, 'the rstar process running the search exited before it ended');
    } catch (error) {
      this.note(error);
      return 0;
    }
  }

  /** The search ended: the job succeeds with the answer and the whole tree. False (and noted) when that was not stored. */
  async succeeded(jobId: string | null, report: SearchReport, policyModel: string): Promise<boolean> {
    const job = jobId === null ? undefined : this.held.get(jobId);
    if (!job) return false;
    this.held.delete(job.id);
    try {
      if (!(await job.complete({ report, policyModel }))) throw new Error(`job ${job.id} is no longer held by ${this.workerId}`);
      return true;
    } catch (error) {
      this.note(error);
      return false;
    }
  }

  /** The search threw (interrupted, the policy failed): the job fails with the reason. */
  async failed(jobId: string | null, reason: unknown): Promise<void> {
    const job = jobId === null ? undefined : this.held.get(jobId);
    if (!job) return;
    this.held.delete(job.id);
    try {
      if (!(await job.fail(errorText(reason)))) throw new Error(`job ${job.id} is no longer held by ${this.workerId}`);
    } catch (error) {
      this.note(error);
    }
  }

  /** What was not stored, in one line; null when every write went through. */
  get problem(): string | null {
    const [first] = this.failures;
    if (first === undefined) return null;
    return this.failures.length === 1 ? first : `${first} (and ${this.failures.length - 1} more failed writes)`;
  }

  private note(error: unknown): void {
    this.failures.push(errorText(error));
  }
}

/** The pid in a worker id of a CLI process on `host`; null for any other worker. */
function orphanPid(workerId: string, host: string): number | null {
  const prefix = `cli@${host}:`;
  if (!workerId.startsWith(prefix)) return null;
  const pid = Number(workerId.slice(prefix.length));
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}
