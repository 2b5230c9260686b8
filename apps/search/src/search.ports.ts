import type { GraderClient, PolicyClient, PpmClient, SandboxClient } from '@rstar/clients';
import type { searchV1 } from '@rstar/contracts';
import type { ConsumeOptions, SolveJobHandler } from '@rstar/messaging';
import type { SolveJobStore } from '@rstar/persistence';

// What the search worker needs from the outside world, as small interfaces: openSearchPorts() builds the
// real ones (PostgreSQL, JetStream, NATS, Kafka); unit tests hand in doubles.

/** The services a search calls, over NATS in the deployment. */
export interface SearchClients {
  policy: PolicyClient;
  sandbox: SandboxClient;
  grader: GraderClient;
  /** Null when the PPM is not enabled. */
  ppm: PpmClient | null;
}

/** Where solve jobs come from: the JetStream work queue. */
export interface JobSource {
  consume(handler: SolveJobHandler, options: ConsumeOptions): Promise<void>;
}

/** Live progress of jobs (core NATS). */
export interface ProgressSink {
  publish(event: searchV1.SolveProgressed): void;
}

/**
 * Publishes what finished jobs left in the outbox (their trees, for Kafka trajectories.v1): the OutboxRelay of
 * @rstar/job-lifecycle. `nudge` after a job's success; `run` until the worker stops.
 */
export interface OutboxPublisher {
  nudge(): void;
  run(signal: AbortSignal): Promise<void>;
}

/** Each resolves when the dependency answers and throws (with a reason) when it does not. */
export type DependencyProbes = Record<string, () => Promise<void>>;

export interface SearchPorts {
  jobs: SolveJobStore;
  queue: JobSource;
  progress: ProgressSink;
  outbox: OutboxPublisher;
  clients: SearchClients;
  /** The policy model the finished jobs record. */
  policyModel(): Promise<string>;
  probes: DependencyProbes;
}

/** The ports and how to let go of them on shutdown (Kafka producer closed, NATS drained, database pool closed). */
export interface OpenedSearchPorts extends SearchPorts {
  close(): Promise<void>;
}

/** Injection tokens. */
export const SEARCH_PORTS = Symbol('rstar.search.ports');
