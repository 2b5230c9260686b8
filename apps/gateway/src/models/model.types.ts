import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum ModelKindValue {
  POLICY = 'policy',
  PPM = 'ppm',
}
registerEnumType(ModelKindValue, { name: 'ModelKind', description: 'POLICY: the step generator; PPM: the process preference model.' });

@ObjectType()
export class Model {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => ModelKindValue)
  kind!: ModelKindValue;

  @Field({ description: 'Where the weights live or where the model is served.' })
  uri!: string;

  @Field(() => Int, { description: 'Self-evolution round that produced it; 0 for a base model.' })
  round!: number;

  @Field({ description: 'Free-form metadata, as a JSON object.' })
  metadataJson!: string;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}

@InputType()
export class RegisterModelInput {
  @Field()
  name!: string;

  @Field(() => ModelKindValue)
  kind!: ModelKindValue;

  @Field()
  uri!: string;

  @Field(() => Int, { nullable: true })
  round?: number | null;

  @Field(() => String, { nullable: true, description: 'A JSON object.' })
  metadataJson?: string | null;
}
