import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { QueueEvent } from '@rstar/messaging';
import { ReadinessRegistry } from '@rstar/service-kit';
import { SearchConfig } from './search.config.js';
import { SEARCH_PORTS, type SearchPorts } from './search.ports.js';
import { SolveJobRunner } from './solve-job-runner.js';

const RESTART_DELAY_MS = 2_000;

/**
 * Takes solve jobs from the JetStream work queue for as long as the service runs, RSTAR_SEARCH_CONCURRENCY at a
 * time. On shutdown it stops pulling, aborts the searches in flight and waits until their jobs are handed back
 * (released and nakked, so another instance takes them at once).
 */
@Injectable()
export class SearchWorkerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SearchWorkerService');
  private readonly stopping = new AbortController();
  /** The outbox relay stops after the last job is settled, so a job finished while shutting down is sent too. */
  private readonly relayStopping = new AbortController();
  private readonly runner: SolveJobRunner;
  private consuming: Promise<void> | null = null;
  private relaying: Promise<void> | null = null;
  private consumerError: string | null = 'not started';

  constructor(
    @Inject(SEARCH_PORTS) private readonly ports: SearchPorts,
    private readonly config: SearchConfig,
    private readonly readiness: ReadinessRegistry,
  ) {
    this.runner = new SolveJobRunner(ports, { workerId: config.RSTAR_WORKER_ID, retryDelayMs: config.RSTAR_JOB_RETRY_DELAY_S * 1000 });
  }

  /** Searches running now. */
  get inFlight(): number {
    return this.runner.inFlight;
  }

  onApplicationBootstrap(): void {
    for (const [name, probe] of Object.entries(this.ports.probes)) this.readiness.register(name, probe);
    this.readiness.register('job-consumer', () => {
      if (this.consumerError !== null) throw new Error(this.consumerError);
    });
    this.consuming = this.consumeUntilStopped();
    this.relaying = this.ports.outbox.run(this.relayStopping.signal);
    this.logger.log(`worker ${this.config.RSTAR_WORKER_ID} takes jobs, ${this.config.RSTAR_SEARCH_CONCURRENCY} at a time`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.readiness.markDraining();
    this.stopping.abort();
    this.runner.stop();
    const inFlight = this.runner.inFlight;
    if (inFlight > 0) this.logger.log(`shutting down: handing back ${inFlight} job(s)`);
    await this.consuming;
    this.ports.outbox.nudge();
    this.relayStopping.abort();
    await this.relaying;
  }

  /** consume() only returns once stopped; if it fails (NATS away, consumer deleted) it starts again. */
  private async consumeUntilStopped(): Promise<void> {
    const { signal } = this.stopping;
    while (!signal.aborted) {
      try {
        this.consumerError = null;
        await this.ports.queue.consume(this.runner.handle, {
          concurrency: this.config.RSTAR_SEARCH_CONCURRENCY,
          signal,
          onExhausted: this.runner.onExhausted,
          onEvent: (event) => this.logQueueEvent(event),
        });
      } catch (error) {
        this.consumerError = `job consumer stopped: ${error instanceof Error ? error.message : String(error)}`;
        this.logger.error(`${this.consumerError}; restarting in ${RESTART_DELAY_MS} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, RESTART_DELAY_MS);
          signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              resolve();
            },
            { once: true },
          );
        });
      }
    }
  }

  private logQueueEvent(event: QueueEvent): void {
    const detail = (error: unknown): string => (error instanceof Error ? error.message : String(error));
    switch (event.kind) {
      case 'pull_failed':
        this.logger.warn(`pulling a job failed: ${detail(event.error)}`);
        break;
      case 'handler_threw':
        this.logger.error(`job ${event.jobId}: handler failed: ${detail(event.error)}`);
        break;
      case 'dead_lettered':
        this.logger.warn(`job ${event.jobId ?? '(unreadable)'}: message dead-lettered: ${event.reason}`);
        break;
      case 'settle_failed':
        this.logger.warn(`job ${event.jobId ?? '(unreadable)'}: message not settled: ${detail(event.error)}`);
        break;
    }
  }
}
