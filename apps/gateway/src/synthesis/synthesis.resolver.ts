import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import type { SynthesisRunRecord } from '@rstar/persistence';
import { AdminOnly } from '../auth/admin.guard.js';
import type { GatewayContext } from '../auth/gateway-context.js';
import { SynthesisService } from './synthesis.service.js';
import { StartSynthesisInput, SynthesisProgress, SynthesisRun } from './synthesis.types.js';

function toSynthesisRunDto(run: SynthesisRunRecord): SynthesisRun {
  return { id: run.id, name: run.name, round: run.round, datasetId: run.datasetId, problemCount: run.problemCount, rollouts: run.config.rollouts, width: run.config.width, createdAt: run.createdAt };
}

/** Synthesis runs queue thousands of jobs: admin keys only. */
@AdminOnly()
@Resolver(() => SynthesisRun)
export class SynthesisResolver {
  constructor(private readonly synthesisService: SynthesisService) {}

  @Mutation(() => SynthesisRun, {
    description: "Starts a synthesis run: one MCTS job (ground-truth reward) per problem of the dataset that has an answer, queued for the search workers; the curation service files their trees' SFT traces and PPM pairs under the round.",
  })
  async startSynthesis(@Args('input') input: StartSynthesisInput, @Context() context: GatewayContext): Promise<SynthesisRun> {
    return toSynthesisRunDto(await this.synthesisService.start(input, context.principal, context.correlationId));
  }

  @Query(() => SynthesisRun)
  async synthesisRun(@Args('id', { type: () => ID }) id: string): Promise<SynthesisRun> {
    return toSynthesisRunDto(await this.synthesisService.run(id));
  }

  @ResolveField(() => SynthesisProgress)
  async progress(@Parent() run: SynthesisRun): Promise<SynthesisProgress> {
    return this.synthesisService.progress(run);
  }

  @Subscription(() => SynthesisProgress, {
    description: "The run's progress now, then whenever it changes; completes once no job is queued or running.",
    resolve: (payload: SynthesisProgress) => payload,
  })
  synthesisProgress(@Args('id', { type: () => ID }) id: string): Promise<AsyncIterableIterator<SynthesisProgress>> {
    return this.synthesisService.follow(id);
  }
}
