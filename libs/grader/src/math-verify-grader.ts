import { accessSync, constants } from 'node:fs';
import type { GradeResult, GraderClient } from '@rstar/clients';
import type { graderV1 } from '@rstar/contracts';
import { venvPython } from '@rstar/workspace';
import { z } from 'zod';
import { WorkerProcess, type WorkerOutcome } from './worker-process.js';

export const MathVerifyGraderConfigSchema = z.object({
  /** The interpreter with rstar_grader installed (tools/setup puts it in the workspace venv). */
  pythonPath: z.string().min(1).default(() => venvPython()),
  /** Budget for one grade. The worker stops itself at this point; the client kills it killGraceS later. */
  timeoutS: z.number().positive().default(5),
  /** Extra wait past timeoutS before the worker counts as stuck (e.g. in native code) and is killed. */
  killGraceS: z.number().nonnegative().default(1),
  /** Budget for starting the worker: importing sympy and math-verify takes seconds on a busy machine. */
  startupTimeoutS: z.number().positive().default(60),
});
export type MathVerifyGraderConfig = z.input<typeof MathVerifyGraderConfigSchema>;
export type ResolvedMathVerifyGraderConfig = z.output<typeof MathVerifyGraderConfigSchema>;

/** The grader cannot run at all here (no venv, or the worker does not start): fix the setup. */
export class GraderUnavailableError extends Error {
  override readonly name = 'GraderUnavailableError';
}

const WARMUP_ID = 'warmup';
const CLOSE_GRACE_MS = 2000;

/**
 * GraderClient over a long-lived `python -m rstar_grader.worker` (math-verify). The worker starts on first
 * use and handles one grade at a time; concurrent calls queue, and a call's budget starts when it reaches
 * the worker. A grade over budget comes back as an error result: the worker stops it itself, or, if it has
 * not answered killGraceS later, is killed. A worker crash also fails only the call in flight. Either way
 * the next call restarts the worker.
 */
export class MathVerifyGrader implements GraderClient {
  readonly config: ResolvedMathVerifyGraderConfig;
  private worker: WorkerProcess | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private seq = 0;

  constructor(config: MathVerifyGraderConfig = {}) {
    this.config = MathVerifyGraderConfigSchema.parse(config);
  }

  /** The running worker's process id, if one is running (diagnostics and tests). */
  get workerPid(): number | undefined {
    return this.worker?.alive ? this.worker.pid : undefined;
  }

  grade(answer: string, reference: string): Promise<GradeResult> {
    if (this.closed) return Promise.reject(new Error('MathVerifyGrader is closed'));
    const run = this.tail.then(() => this.gradeNow(answer, reference));
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    await worker?.close(CLOSE_GRACE_MS);
  }

  private async gradeNow(answer: string, reference: string): Promise<GradeResult> {
    if (this.closed) throw new Error('MathVerifyGrader is closed');
    const worker = await this.ready();
    const { timeoutS, killGraceS } = this.config;
    const request: graderV1.GradeRequest = { id: String(++this.seq), answer, reference, timeoutS };
    const outcome = await worker.request(request, (timeoutS + killGraceS) * 1000);
    if (outcome.kind !== 'reply') this.drop(worker);
    return toGradeResult(outcome, timeoutS);
  }

  /** The running worker, started (and proven to answer) if there is none. */
  private async ready(): Promise<WorkerProcess> {
    if (this.worker?.alive) return this.worker;
    const { pythonPath, startupTimeoutS } = this.config;
    try {
      accessSync(pythonPath, constants.X_OK);
    } catch {
      throw new GraderUnavailableError(`grader Python not found at ${pythonPath}: run tools/setup`);
    }
    const worker = new WorkerProcess(pythonPath);
    // The first reply proves the imports worked; its budget is the startup one, not a grade's.
    const warmup = { id: WARMUP_ID, answer: '1', reference: '1', timeoutS: startupTimeoutS };
    const outcome = await worker.request(warmup, startupTimeoutS * 1000);
    switch (outcome.kind) {
      case 'reply':
        if (this.closed) {
          // close() came while this worker was starting; it must not outlive the client.
          await worker.close(CLOSE_GRACE_MS);
          throw new Error('MathVerifyGrader is closed');
        }
        this.worker = worker;
        return worker;
      case 'timeout':
        worker.kill();
        throw new GraderUnavailableError(`grader worker did not start within ${startupTimeoutS}s`);
      case 'exit':
        throw new GraderUnavailableError(`grader worker failed to start (${outcome.reason}): run tools/setup`);
    }
  }

  private drop(worker: WorkerProcess): void {
    worker.kill();
    if (this.worker === worker) this.worker = null;
  }
}

function toGradeResult(outcome: WorkerOutcome, timeoutS: number): GradeResult {
  switch (outcome.kind) {
    case 'reply': {
      const r = outcome.result;
      return {
        equivalent: r.error === '' && r.equivalent,
        answerParsed: r.answerParsed,
        referenceParsed: r.referenceParsed,
        error: r.error === '' ? null : r.error,
      };
    }
    case 'timeout':
      // Same wording as the worker's own timeout, so callers need not tell the two apart.
      return failure(`grading timed out after ${timeoutS}s`);
    case 'exit':
      return failure(`grader worker died while grading (${outcome.reason})`);
  }
}

function failure(error: string): GradeResult {
  return { equivalent: false, answerParsed: '', referenceParsed: '', error };
}
