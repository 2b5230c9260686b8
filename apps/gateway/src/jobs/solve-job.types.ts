import { Field, Float, GraphQLISODateTime, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ConnectionType } from '../common/paging.js';

// GraphQL types of solve jobs. Enum values are the libraries' own strings, so mapping is a cast-free lookup.

export enum SearchMethodValue {
  MCTS = 'mcts',
  GREEDY = 'greedy',
  BEST_OF_N = 'best-of-n',
  BEAM = 'beam',
}
registerEnumType(SearchMethodValue, { name: 'SearchMethod', description: 'The search algorithm of a solve.' });

export enum PromptStyleValue {
  FEW_SHOT = 'few-shot',
  SFT = 'sft',
}
registerEnumType(PromptStyleValue, {
  name: 'PromptStyle',
  description: 'FEW_SHOT for a model not fine-tuned on the step format (round 1), SFT for one that is.',
});

export enum JobStatusValue {
  QUEUED = 'queued',
  RUNNING = 'running',
  SUCCEEDED = 'succeeded',
  FAILED = 'failed',
}
registerEnumType(JobStatusValue, { name: 'JobStatus' });

@InputType({ description: 'How much search a solve may spend.' })
export class BudgetInput {
  @Field(() => Int, { nullable: true, description: 'Rollouts (MCTS) or trajectories (best-of-N); default 8.' })
  rollouts?: number | null;

  @Field(() => Int, { nullable: true, description: 'Candidate steps sampled per expansion; default 4.' })
  width?: number | null;
}

@InputType()
export class SolveInput {
  @Field(() => String, { nullable: true, description: 'The problem statement; give this or problemId.' })
  problem?: string | null;

  @Field(() => ID, { nullable: true, description: 'A problem of an imported dataset; give this or problem.' })
  problemId?: string | null;

  @Field(() => String, { nullable: true, description: "Reference answer to grade against (a dataset problem's answer by default)." })
  referenceAnswer?: string | null;

  @Field(() => SearchMethodValue, { defaultValue: SearchMethodValue.MCTS })
  method: SearchMethodValue = SearchMethodValue.MCTS;

  @Field(() => BudgetInput, { nullable: true })
  budget?: BudgetInput | null;

  @Field(() => Int, { nullable: true })
  seed?: number | null;

  @Field(() => Float, { nullable: true, description: 'Sampling temperature, 0 to 2; default 0.7.' })
  temperature?: number | null;

  @Field(() => Int, { nullable: true, description: 'A step deeper than this that is not an answer ends its trajectory with value -1; default 16.' })
  maxDepth?: number | null;

  @Field(() => Float, { nullable: true, description: 'UCT exploration constant; default 2.' })
  cPuct?: number | null;

  @Field(() => Int, { nullable: true, description: 'Beams kept per depth (BEAM); default 2.' })
  beamWidth?: number | null;

  @Field(() => PromptStyleValue, { nullable: true })
  promptStyle?: PromptStyleValue | null;
}

@ObjectType()
export class Budget {
  @Field(() => Int)
  rollouts!: number;

  @Field(() => Int)
  width!: number;
}

@ObjectType({ description: 'One step of the best trajectory.' })
export class SolveStep {
  @Field(() => Int)
  nodeId!: number;

  @Field(() => Int)
  depth!: number;

  @Field({ description: 'code | final_code | answer | truncated' })
  kind!: string;

  @Field({ description: 'The natural-language reasoning (the Python comments of the step).' })
  reasoning!: string;

  @Field()
  code!: string;

  @Field(() => String, { nullable: true, description: 'What the cumulative program printed.' })
  output!: string | null;

  @Field(() => String, { nullable: true })
  errorKind!: string | null;

  @Field(() => String, { nullable: true })
  answer!: string | null;

  @Field(() => Float)
  q!: number;

  @Field(() => Int)
  visits!: number;

  @Field(() => Float, { nullable: true })
  ppmScore!: number | null;
}

@ObjectType()
export class TreeNode {
  @Field(() => Int)
  id!: number;

  @Field(() => Int, { nullable: true })
  parentId!: number | null;

  @Field(() => Int)
  depth!: number;

  @Field({ description: 'root | code | final_code | answer | truncated' })
  kind!: string;

  @Field()
  reasoning!: string;

  @Field()
  code!: string;

  @Field(() => String, { nullable: true })
  output!: string | null;

  @Field(() => String, { nullable: true })
  errorKind!: string | null;

  @Field()
  executed!: boolean;

  @Field(() => String, { nullable: true })
  answer!: string | null;

  @Field()
  terminal!: boolean;

  @Field(() => String, { nullable: true })
  terminalReason!: string | null;

  @Field(() => Float)
  q!: number;

  @Field(() => Int)
  visits!: number;

  @Field(() => Float)
  valueSum!: number;

  @Field(() => Float, { nullable: true })
  ppmScore!: number | null;

  @Field(() => Float, { nullable: true })
  reward!: number | null;

  @Field(() => Boolean, { nullable: true })
  correct!: boolean | null;
}

@ObjectType()
export class TreeEdge {
  @Field(() => Int)
  from!: number;

  @Field(() => Int)
  to!: number;
}

@ObjectType({ description: 'The stored search tree of a finished job.' })
export class SearchTree {
  @Field(() => ID)
  jobId!: string;

  @Field()
  evaluator!: string;

  @Field(() => Int, { nullable: true })
  answerNodeId!: number | null;

  @Field(() => [Int], { description: 'Node ids from the root to the answer node; empty when no answer was found.' })
  bestTrajectory!: number[];

  @Field(() => Int)
  nodeCount!: number;

  @Field(() => [TreeNode], { complexity: ({ childComplexity }: { childComplexity: number }) => 10 * Math.max(1, childComplexity) })
  nodes!: TreeNode[];

  @Field(() => [TreeEdge], { complexity: ({ childComplexity }: { childComplexity: number }) => 10 * Math.max(1, childComplexity) })
  edges!: TreeEdge[];
}

@ObjectType()
export class SolveJob {
  @Field(() => ID)
  id!: string;

  @Field(() => JobStatusValue)
  status!: JobStatusValue;

  @Field({ description: 'The problem statement the search ran on.' })
  question!: string;

  @Field(() => ID, { nullable: true })
  problemId!: string | null;

  @Field(() => String, { nullable: true })
  referenceAnswer!: string | null;

  @Field(() => SearchMethodValue)
  method!: SearchMethodValue;

  @Field(() => Budget)
  budget!: Budget;

  @Field(() => Int)
  seed!: number;

  @Field(() => String, { nullable: true, description: 'The final answer (when the job succeeded and found one).' })
  answer!: string | null;

  @Field(() => Float, { nullable: true })
  answerQ!: number | null;

  @Field(() => String, { nullable: true, description: 'The best answer so far (while running).' })
  bestAnswer!: string | null;

  @Field(() => Float, { nullable: true })
  bestQ!: number | null;

  @Field(() => Int)
  rolloutsDone!: number;

  @Field(() => Int)
  rolloutsTotal!: number;

  @Field(() => String, { nullable: true, description: 'Why a failed job failed.' })
  error!: string | null;

  @Field(() => Int, { description: 'How many times a search worker took the job.' })
  attempts!: number;

  @Field(() => String, { nullable: true })
  policyModel!: string | null;

  @Field(() => Float, { nullable: true })
  elapsedMs!: number | null;

  @Field()
  correlationId!: string;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  startedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  finishedAt!: Date | null;
}

@ObjectType()
export class SolveJobConnection extends ConnectionType(SolveJob) {}

@ObjectType({ description: 'The state of a job: first as stored, then after each rollout, last when it ends.' })
export class SolveProgress {
  @Field(() => ID)
  jobId!: string;

  @Field(() => JobStatusValue)
  status!: JobStatusValue;

  @Field(() => Int)
  rolloutsDone!: number;

  @Field(() => Int)
  rolloutsTotal!: number;

  @Field(() => String, { nullable: true })
  bestAnswer!: string | null;

  @Field(() => Float, { nullable: true })
  bestQ!: number | null;

  @Field(() => String, { nullable: true, description: 'The final answer, on the last event of a succeeded job.' })
  answer!: string | null;

  @Field(() => Float, { nullable: true })
  answerQ!: number | null;

  @Field(() => String, { nullable: true })
  error!: string | null;
}
