import { curateTree, curationTreeOf, type NotCuratable } from '@rstar/curation';
import type { searchV1 } from '@rstar/contracts';
import type { CurationStore, SynthesisRunStore } from '@rstar/persistence';

export type CuratorLogger = { log(message: string): void; warn(message: string): void };

/** What became of one tree. */
export type CurationOutcome = { kind: 'curated'; traces: number; pairs: number } | { kind: 'duplicate' } | { kind: 'skipped'; reason: NotCuratable; detail: string };

/**
 * Turns each finished tree into training records (the same `curateTree` as `rstar synth`) and stores them
 * once per job: a tree delivered again adds nothing. A tree of a synthesis run's job is filed under the run's
 * round, any other under the service's. Trees not scored against the ground truth are not
 * training data and are skipped. A store that fails throws, so the consumer tries the tree again.
 */
export class TrajectoryCurator {
  constructor(
    private readonly store: CurationStore,
    private readonly runs: Pick<SynthesisRunStore, 'roundOfJob'>,
    /** The round of a tree whose job belongs to no synthesis run. */
    private readonly defaultRound: number,
    private readonly logger: CuratorLogger,
  ) {}

  async curate(event: searchV1.TrajectoryCompleted): Promise<CurationOutcome> {
    // A synthesis run's tree goes into the run's round.
    const round = (await this.runs.roundOfJob(event.jobId)) ?? this.defaultRound;
    const read = curationTreeOf(event, round);
    if (!read.ok) {
      this.logger.log(`job ${event.jobId}: not curated (${read.reason}: ${read.detail})`);
      return { kind: 'skipped', reason: read.reason, detail: read.detail };
    }
    const { traces, pairs, counts } = curateTree(read.tree);
    const records = [
      ...traces.map((t) => ({ kind: 'sft' as const, id: t.id, record: t })),
      ...pairs.map((p) => ({ kind: 'pair' as const, id: p.id, record: p })),
    ];
    const saved = await this.store.saveTree({ jobId: event.jobId, problemId: read.tree.problemId, round, counts, records });
    if (!saved) {
      this.logger.log(`job ${event.jobId}: curated before; nothing added`);
      return { kind: 'duplicate' };
    }
    this.logger.log(`job ${event.jobId}: ${traces.length} traces, ${pairs.length} pairs (round ${round}, problem ${read.tree.problemId})`);
    return { kind: 'curated', traces: traces.length, pairs: pairs.length };
  }
}
