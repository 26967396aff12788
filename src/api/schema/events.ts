import { Field, ID, ObjectType } from 'type-graphql';
import { LandscapeEventType } from './enums';

@ObjectType('LandscapeEvent')
export class LandscapeEventObject {
  @Field(() => LandscapeEventType)
  type!: LandscapeEventType;

  @Field(() => ID)
  landscapeId!: string;

  @Field()
  name!: string;

  @Field()
  at!: Date;

  @Field(() => ID, { nullable: true })
  minimumId?: string;

  @Field(() => ID, { nullable: true })
  pathId?: string;

  @Field(() => ID, { nullable: true })
  runId?: string;
}
