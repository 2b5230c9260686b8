import type { SkippedRecord, TrajectoryHandler } from '@rstar/messaging';
import type { CurationStore, SynthesisRunStore } from '@rstar/persistence';

// What the curation service needs from the outside world, as small interfaces: openCurationPorts() builds the
// real ones (PostgreSQL, Kafka); unit tests hand in doubles.

/** Finished trees: the trajectories.v1 consumer group. */
export interface TrajectorySource {
  start(handler: TrajectoryHandler, hooks: { onSkipped?: (record: SkippedRecord) => void; onRetry?: (error: unknown, record: { partition: number; offset: string }) => void }): Promise<void>;
  stop(): Promise<void>;
}

/** Each resolves when the dependency answers and throws (with a reason) when it does not. */
export type DependencyProbes = Record<string, () => Promise<void>>;

export interface CurationPorts {
  curation: CurationStore;
  synthesisRuns: Pick<SynthesisRunStore, 'roundOfJob'>;
  trajectories: TrajectorySource;
  probes: DependencyProbes;
}

/** The ports and how to let go of them on shutdown. */
export interface OpenedCurationPorts extends CurationPorts {
  close(): Promise<void>;
}

export const CURATION_PORTS = Symbol('rstar.curation.ports');
