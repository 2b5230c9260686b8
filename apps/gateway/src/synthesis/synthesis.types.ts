import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { BudgetInput, PromptStyleValue } from '../jobs/solve-job.types.js';

@InputType({ description: 'A synthesis run: MCTS with ground-truth rewards over the problems of a dataset (METHOD.md §3).' })
export class StartSynthesisInput {
  @Field(() => ID, { description: 'The dataset whose problems (those with an answer) are searched.' })
  datasetId!: string;

  @Field(() => Int, { description: 'The self-evolution round the curated traces and pairs are filed under.' })
  round!: number;

  @Field(() => String, { nullable: true, description: 'Default: <dataset name>-r<round>.' })
  name?: string | null;

  @Field(() => Int, { nullable: true, description: 'Only the first n problems with an answer, in import order.' })
  limit?: number | null;

  @Field(() => BudgetInput, { nullable: true, description: 'MCTS rollouts and candidates per expansion of every problem.' })
  budget?: BudgetInput | null;

  @Field(() => Int, { nullable: true })
  seed?: number | null;

  @Field(() => PromptStyleValue, { nullable: true })
  promptStyle?: PromptStyleValue | null;
}

@ObjectType({ description: "A synthesis run's jobs by status." })
export class SynthesisJobCounts {
  @Field(() => Int)
  queued!: number;

  @Field(() => Int)
  running!: number;

  @Field(() => Int)
  succeeded!: number;

  @Field(() => Int)
  failed!: number;
}

@ObjectType({ description: 'Where a synthesis run stands.' })
export class SynthesisProgress {
  @Field(() => ID)
  runId!: string;

  @Field(() => Int)
  problems!: number;

  @Field(() => SynthesisJobCounts)
  jobs!: SynthesisJobCounts;

  @Field(() => Int, { description: 'Trees the curation service has turned into training records.' })
  curatedTrees!: number;

  @Field(() => Int, { description: 'Problems with at least one correct, error-free trace.' })
  covered!: number;

  @Field(() => Int)
  traces!: number;

  @Field(() => Int)
  pairs!: number;

  @Field({ description: 'No job is queued or running any more.' })
  finished!: boolean;
}

@ObjectType()
export class SynthesisRun {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => Int)
  round!: number;

  @Field(() => ID)
  datasetId!: string;

  @Field(() => Int, { description: 'Problems searched (one job each).' })
  problemCount!: number;

  @Field(() => Int)
  rollouts!: number;

  @Field(() => Int)
  width!: number;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}
