import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { PageArgs, pageRequest, toConnection } from '../common/paging.js';
import { listComplexity } from '../limits/query-limits.js';
import { toSearchTreeDto } from '../jobs/solve-job.mapper.js';
import { SearchTree } from '../jobs/solve-job.types.js';
import { toDatasetDto, toProblemDto } from './dataset.mapper.js';
import { DatasetService } from './dataset.service.js';
import { Dataset, DatasetConnection, ImportDatasetResult, Problem, ProblemConnection } from './dataset.types.js';

@Resolver(() => Dataset)
export class DatasetResolver {
  constructor(private readonly datasetService: DatasetService) {}

  @Mutation(() => ImportDatasetResult, {
    description: 'Imports a JSONL problem file (one {"id"?, "problem"|"question", "answer"?} per line; without an id a problem is line-<n>) into the named dataset.',
  })
  async importDataset(
    @Args('name') name: string,
    @Args('jsonl') jsonl: string,
    @Args('source', { type: () => String, nullable: true, description: 'Where the file came from (default "graphql").' }) source: string | null,
  ): Promise<ImportDatasetResult> {
    const result = await this.datasetService.importJsonl(name, jsonl, source ?? null);
    return {
      dataset: toDatasetDto(result.dataset),
      inserted: result.inserted,
      skipped: result.skipped,
      rejectedCount: result.rejectedCount,
      rejected: result.rejected,
    };
  }

  @Query(() => DatasetConnection, { complexity: listComplexity })
  async datasets(@Args() page: PageArgs): Promise<DatasetConnection> {
    return toConnection(await this.datasetService.list(pageRequest(page)), toDatasetDto);
  }

  @Query(() => Dataset)
  async dataset(@Args('id', { type: () => ID }) id: string): Promise<Dataset> {
    return toDatasetDto(await this.datasetService.dataset(id));
  }

  @ResolveField(() => ProblemConnection, { description: 'The problems in import order.', complexity: listComplexity })
  async problems(@Parent() dataset: Dataset, @Args() page: PageArgs): Promise<ProblemConnection> {
    return toConnection(await this.datasetService.problems(dataset.id, pageRequest(page)), toProblemDto);
  }

  @Query(() => [SearchTree], { description: 'Stored search trees of a problem, newest first.', complexity: listComplexity })
  async trajectories(
    @Args('problemId', { type: () => ID }) problemId: string,
    @Args('first', { type: () => Int, defaultValue: 10 }) first: number,
  ): Promise<SearchTree[]> {
    const page = pageRequest({ first });
    return (await this.datasetService.trajectories(problemId, page.first)).map(toSearchTreeDto);
  }
}

@Resolver(() => Problem)
export class ProblemResolver {
  constructor(private readonly datasetService: DatasetService) {}

  @Query(() => Problem)
  async problem(@Args('id', { type: () => ID }) id: string): Promise<Problem> {
    return toProblemDto(await this.datasetService.problem(id));
  }

  @ResolveField(() => Dataset)
  async dataset(@Parent() problem: Problem): Promise<Dataset> {
    return toDatasetDto(await this.datasetService.dataset(problem.datasetId));
  }
}
