import { Inject, Injectable, Logger } from '@nestjs/common';
import { JobLifecycle, JobNotQueuedError } from '@rstar/job-lifecycle';
import { MAX_PAGE_SIZE, type ProblemRecord, type Stores, type SynthesisRunProgress, type SynthesisRunRecord } from '@rstar/persistence';
import { principalKeyId, type Principal } from '../auth/principal.js';
import { GatewayError, GatewayErrorCode } from '../errors/gateway-error.js';
import type { GatewayConfig } from '../gateway.config.js';
import { GATEWAY_CONFIG, JOB_DISPATCHER, STORES, type JobDispatcher } from '../gateway.ports.js';
import { searchConfigOf } from '../jobs/solve-input.validator.js';
import { SearchMethodValue } from '../jobs/solve-job.types.js';
import type { StartSynthesisInput, SynthesisProgress } from './synthesis.types.js';

export const MAX_ROUND = 1000;
const MAX_NAME_CHARS = 200;
/** Job links written to the run at a time while its jobs are queued. */
const LINK_BATCH = 200;

function badInput(field: string, message: string): GatewayError {
  return new GatewayError(GatewayErrorCode.BAD_USER_INPUT, message, { field });
}

export function toSynthesisProgress(runId: string, problems: number, p: SynthesisRunProgress): SynthesisProgress {
  return { runId, problems, jobs: p.jobs, curatedTrees: p.curatedTrees, covered: p.covered, traces: p.traces, pairs: p.pairs, finished: p.jobs.queued + p.jobs.running === 0 };
}

/**
 * Synthesis runs as the GraphQL API sees them: a run over a dataset's problems with answers, one solve job each
 * (MCTS with the ground truth as reward), queued for the search workers through the job lifecycle; the curation
 * service files the finished trees under the run's round.
 */
@Injectable()
export class SynthesisService {
  private readonly logger = new Logger(SynthesisService.name);
  private readonly lifecycle: JobLifecycle;

  constructor(
    @Inject(STORES) private readonly stores: Pick<Stores, 'jobs' | 'datasets' | 'synthesisRuns'>,
    @Inject(JOB_DISPATCHER) private readonly dispatcher: JobDispatcher,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.lifecycle = new JobLifecycle(stores.jobs, this.logger);
  }

  async start(input: StartSynthesisInput, principal: Principal, correlationId: string): Promise<SynthesisRunRecord> {
    if (!Number.isInteger(input.round) || input.round < 0 || input.round > MAX_ROUND) throw badInput('round', `round must be from 0 to ${MAX_ROUND}, not ${input.round}`);
    const maxProblems = this.config.RSTAR_MAX_SYNTHESIS_PROBLEMS;
    const limit = input.limit ?? maxProblems;
    if (!Number.isInteger(limit) || limit < 1 || limit > maxProblems) throw badInput('limit', `limit must be from 1 to ${maxProblems}, not ${limit}`);
    const config = searchConfigOf({ method: SearchMethodValue.MCTS, budget: input.budget, seed: input.seed, promptStyle: input.promptStyle }, {
      maxProblemChars: this.config.RSTAR_MAX_PROBLEM_CHARS,
      maxRollouts: this.config.RSTAR_MAX_ROLLOUTS,
      maxWidth: this.config.RSTAR_MAX_WIDTH,
    });
    const dataset = await this.stores.datasets.get(input.datasetId);
    if (!dataset) throw new GatewayError(GatewayErrorCode.NOT_FOUND, `no dataset ${input.datasetId}`, { field: 'datasetId' });
    const name = (input.name ?? `${dataset.name}-r${input.round}`).trim();
    if (name === '' || name.length > MAX_NAME_CHARS) throw badInput('name', `name must have 1 to ${MAX_NAME_CHARS} characters`);
    const problems = await this.answeredProblems(dataset.id, limit);
    if (problems.length === 0) throw badInput('datasetId', `no problem of dataset ${dataset.name} has an answer to grade against`);

    const apiKeyId = principalKeyId(principal);
    const run = await this.stores.synthesisRuns.create({ name, round: input.round, datasetId: dataset.id, config, problemCount: problems.length, apiKeyId, correlationId });
    let links: { jobId: string; problemId: string }[] = [];
    const flush = async (): Promise<void> => {
      if (links.length > 0) await this.stores.synthesisRuns.addJobs(run.id, links);
      links = [];
    };
    let queued = 0;
    try {
      for (const problem of problems) {
        const job = await this.lifecycle.submit({ question: problem.question, referenceAnswer: problem.answer, problemId: problem.id, config, apiKeyId, correlationId }, this.dispatcher);
        links.push({ jobId: job.id, problemId: problem.id });
        queued++;
        if (links.length >= LINK_BATCH) await flush();
      }
    } catch (error) {
      await flush();
      if (!(error instanceof JobNotQueuedError)) throw error;
      this.logger.error(`synthesis run ${run.id}: ${error.message} after ${queued} of ${problems.length} jobs`);
      throw new GatewayError(GatewayErrorCode.SERVICE_UNAVAILABLE, `synthesis run ${run.id} queued ${queued} of ${problems.length} problems before the queue refused; try again later`, {}, { cause: error.cause });
    }
    await flush();
    this.logger.log(`synthesis run ${run.id} (${name}, round ${input.round}): ${queued} jobs queued`);
    return run;
  }

  async run(id: string): Promise<SynthesisRunRecord> {
    const run = await this.stores.synthesisRuns.get(id);
    if (!run) throw new GatewayError(GatewayErrorCode.NOT_FOUND, `no synthesis run ${id}`, { field: 'id' });
    return run;
  }

  async progress(run: Pick<SynthesisRunRecord, 'id' | 'problemCount'>): Promise<SynthesisProgress> {
    return toSynthesisProgress(run.id, run.problemCount, await this.stores.synthesisRuns.progress(run.id));
  }

  /** The run's progress now, then each time it changes (read every RSTAR_SYNTHESIS_POLL_MS); ends once finished. */
  async follow(id: string): Promise<AsyncIterableIterator<SynthesisProgress>> {
    const run = await this.run(id);
    const pollMs = this.config.RSTAR_SYNTHESIS_POLL_MS;
    const read = (): Promise<SynthesisProgress> => this.progress(run);
    async function* updates(): AsyncGenerator<SynthesisProgress> {
      let last = '';
      for (;;) {
        const current = await read();
        const key = JSON.stringify(current);
        if (key !== last) yield current;
        last = key;
        if (current.finished) return;
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    }
    return updates();
  }

  /** The dataset's problems with an answer, in import order, up to `limit`. */
  private async answeredProblems(datasetId: string, limit: number): Promise<ProblemRecord[]> {
    const chosen: ProblemRecord[] = [];
    let after: string | null = null;
    do {
      const page = await this.stores.datasets.problems(datasetId, { first: MAX_PAGE_SIZE, after });
      for (const p of page.items) if (p.answer !== null && p.answer.trim() !== '' && chosen.length < limit) chosen.push(p);
      after = chosen.length < limit ? page.nextCursor : null;
    } while (after !== null);
    return chosen;
  }
}
