import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import { ConnectionType } from '../common/paging.js';

@ObjectType()
export class Problem {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  datasetId!: string;

  @Field({ description: 'The id the file gave the problem (or its line number).' })
  externalId!: string;

  @Field()
  question!: string;

  @Field(() => String, { nullable: true })
  answer!: string | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}

@ObjectType()
export class ProblemConnection extends ConnectionType(Problem) {}

@ObjectType()
export class Dataset {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field()
  source!: string;

  @Field(() => Int)
  problemCount!: number;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}

@ObjectType()
export class DatasetConnection extends ConnectionType(Dataset) {}

@ObjectType()
export class JsonlLineError {
  @Field(() => Int)
  line!: number;

  @Field()
  message!: string;
}

@ObjectType()
export class ImportDatasetResult {
  @Field(() => Dataset)
  dataset!: Dataset;

  @Field(() => Int, { description: 'Problems added.' })
  inserted!: number;

  @Field(() => Int, { description: 'Problems the dataset already had (same id).' })
  skipped!: number;

  @Field(() => Int, { description: 'Lines refused.' })
  rejectedCount!: number;

  @Field(() => [JsonlLineError], { description: 'The refused lines (the first 100) and why.' })
  rejected!: JsonlLineError[];
}
