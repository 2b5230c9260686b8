import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType()
export class HealthComponent {
  @Field({ description: 'gateway | database | nats | policy' })
  name!: string;

  @Field({ description: 'up | down' })
  status!: string;

  @Field(() => String, { nullable: true })
  detail!: string | null;
}

@ObjectType()
export class Health {
  @Field({ description: 'ok when every component is up, else degraded' })
  status!: string;

  @Field(() => [HealthComponent])
  components!: HealthComponent[];
}
