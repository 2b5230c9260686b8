import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum ApiKeyRoleValue {
  CLIENT = 'client',
  ADMIN = 'admin',
}
registerEnumType(ApiKeyRoleValue, { name: 'ApiKeyRole', description: 'ADMIN keys may also manage keys and register models.' });

@ObjectType({ description: 'An API key as stored: its secret is never shown again after issueApiKey.' })
export class ApiKey {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: 'The first characters of the secret, to tell keys apart.' })
  prefix!: string;

  @Field(() => ApiKeyRoleValue)
  role!: ApiKeyRoleValue;

  @Field(() => Int)
  rateLimitPerMinute!: number;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  revokedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  lastUsedAt!: Date | null;
}

@ObjectType()
export class IssuedApiKey {
  @Field(() => ApiKey)
  key!: ApiKey;

  @Field({ description: 'The secret to send as `Authorization: Bearer <secret>`: shown this once only.' })
  secret!: string;
}
