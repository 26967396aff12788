// GraphQL types of alignment (issue 18): how an aligned copy was made, and linear mode
// connectivity of a path's straight line evaluated on the full sets.
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { AlignmentMethod } from './enums';
import { EvaluatedPointType } from './records';

@ObjectType('Alignment', { description: 'How an aligned copy of a minimum was computed.' })
export class AlignmentType {
  @Field(() => AlignmentMethod)
  method!: AlignmentMethod;

  @Field(() => Int, { description: 'Seed of the order in which weight matching visits the permutations.' })
  seed!: number;

  @Field(() => Int, { nullable: true, description: 'Sweeps over all permutations (weight matching stops after a sweep without gain, at most 100).' })
  sweeps!: number | null;

  @Field(() => Float, { nullable: true, description: 'Seconds spent matching.' })
  seconds!: number | null;
}

@ObjectType('Barrier', { description: 'A barrier height on a straight line and the alpha (0 at minimum A, 1 at B) where it peaks.' })
export class BarrierType {
  @Field(() => Float)
  value!: number;

  @Field(() => Float)
  alpha!: number;
}

@ObjectType('LinearConnectivity', { description: 'The straight line (1 - alpha) A + alpha B on the full train and test sets (after evaluatePath).' })
export class LinearConnectivityType {
  @Field(() => [EvaluatedPointType], { description: 'alpha = 0, 0.1, ..., 1 (as `t`).' })
  points!: EvaluatedPointType[];

  @Field({ description: 'BatchNorm running statistics at the interior points: RECOMPUTED (a pass over training batches, as update_bn does) or NONE (no BatchNorm in the model).' })
  batchNorm!: string;

  @Field(() => BarrierType, { nullable: true, description: 'Frankle et al. 2020: max over alpha of the test error minus the mean of the endpoints\' test errors (null on surfaces).' })
  errorBarrier!: BarrierType | null;

  @Field(() => BarrierType, { description: 'Entezari et al. 2022: max over alpha of the train loss minus (1 - alpha) L(A) + alpha L(B).' })
  lossBarrier!: BarrierType;

  @Field(() => BarrierType, { description: 'Entezari\'s barrier on the test loss.' })
  testLossBarrier!: BarrierType;
}
