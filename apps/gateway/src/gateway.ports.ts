import type { searchV1 } from '@rstar/contracts';
import type { JobQueue } from '@rstar/job-lifecycle';
import type { Stores } from '@rstar/persistence';

// What the gateway needs from the outside world, as small interfaces: the real ones (database, JetStream,
// NATS) are built by openGatewayPorts(); tests hand in doubles for any of them.

/** Puts a stored job on the search workers' queue (the lifecycle's queue port). */
export type JobDispatcher = JobQueue;

/** Live progress events of one job; iteration ends after its final event or on close(). */
export interface ProgressStream extends AsyncIterable<searchV1.SolveProgressed> {
  close(): void;
}

export interface ProgressFeed {
  /** Resolves once the broker knows about the subscription, so no event published afterwards is missed. */
  subscribe(jobId: string): Promise<ProgressStream>;
}

/** The policy service as the health query sees it. */
export interface PolicyProbe {
  listModels(): Promise<{ models: string[]; serverUrl: string }>;
}

/** Each resolves when the dependency answers and throws (with a reason) when it does not. */
export interface DependencyProbes {
  database(): Promise<void>;
  nats(): Promise<void>;
}

export interface GatewayPorts {
  stores: Stores;
  dispatcher: JobDispatcher;
  progress: ProgressFeed;
  policy: PolicyProbe;
  probes: DependencyProbes;
}

/** Injection tokens of the ports. */
export const STORES = Symbol('rstar.gateway.stores');
export const JOB_DISPATCHER = Symbol('rstar.gateway.job-dispatcher');
export const PROGRESS_FEED = Symbol('rstar.gateway.progress-feed');
export const POLICY_PROBE = Symbol('rstar.gateway.policy-probe');
export const DEPENDENCY_PROBES = Symbol('rstar.gateway.dependency-probes');
export const GATEWAY_CONFIG = Symbol('rstar.gateway.config');
