import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import { memoized, type GatewayContext } from '../auth/gateway-context.js';
import { PageArgs, pageRequest, toConnection } from '../common/paging.js';
import { listComplexity } from '../limits/query-limits.js';
import { toSearchTreeDto, toSolveJobDto, toSolveSteps } from './solve-job.mapper.js';
import { JobStatusValue, SearchTree, SolveInput, SolveJob, SolveJobConnection, SolveProgress, SolveStep } from './solve-job.types.js';
import { SolveService } from './solve.service.js';

@Resolver(() => SolveJob)
export class SolveJobResolver {
  constructor(private readonly solveService: SolveService) {}

  @Mutation(() => SolveJob, { description: 'Stores a solve job and queues it for a search worker; returns it (QUEUED).' })
  async solve(@Args('input') input: SolveInput, @Context() context: GatewayContext): Promise<SolveJob> {
    return toSolveJobDto(await this.solveService.solve(input, context.principal, context.correlationId));
  }

  @Query(() => SolveJob, { description: 'A job of this API key (any job for an admin); NOT_FOUND otherwise.' })
  async solveJob(@Args('id', { type: () => ID }) id: string, @Context() context: GatewayContext): Promise<SolveJob> {
    return toSolveJobDto(await this.solveService.job(id, context.principal));
  }

  @Query(() => SolveJobConnection, { description: "This API key's jobs, newest first.", complexity: listComplexity })
  async solveJobs(
    @Args() page: PageArgs,
    @Args('status', { type: () => JobStatusValue, nullable: true }) status: JobStatusValue | null,
    @Context() context: GatewayContext,
  ): Promise<SolveJobConnection> {
    const result = await this.solveService.jobs(pageRequest(page), (status ?? null), context.principal);
    return toConnection(result, toSolveJobDto);
  }

  @ResolveField(() => [SolveStep], { description: 'The best trajectory, root excluded; empty until the job has a tree.' })
  async steps(@Parent() job: SolveJob, @Context() context: GatewayContext): Promise<SolveStep[]> {
    const tree = await memoized(context, `tree:${job.id}`, () => this.solveService.tree(job.id));
    return tree ? toSolveSteps(tree) : [];
  }

  @ResolveField(() => SearchTree, { nullable: true, description: 'The whole search tree; null until the job finished.' })
  async tree(@Parent() job: SolveJob, @Context() context: GatewayContext): Promise<SearchTree | null> {
    const tree = await memoized(context, `tree:${job.id}`, () => this.solveService.tree(job.id));
    return tree ? toSearchTreeDto(tree) : null;
  }

  @Subscription(() => SolveProgress, {
    description: "The job's stored state, then an event per rollout; completes after SUCCEEDED or FAILED.",
    resolve: (payload: SolveProgress) => payload,
  })
  solveProgress(@Args('id', { type: () => ID }) id: string, @Context() context: GatewayContext): Promise<AsyncIterableIterator<SolveProgress>> {
    return this.solveService.follow(id, context.principal);
  }
}
