// GraphQL types of curves (issue 19): the kind of curve fitCurve trains, its config, and how a path was found.
import { Field, Float, InputType, Int, registerEnumType } from 'type-graphql';
import { PathMethod } from '../../store/enums';

export enum CurveKind {
  BEZIER = 'BEZIER',
  POLYCHAIN = 'POLYCHAIN',
}

registerEnumType(CurveKind, { name: 'CurveKind', description: 'A quadratic Bezier curve or a polygonal chain A -> bend -> B (Garipov et al. 2018).' });
registerEnumType(PathMethod, { name: 'PathMethod', description: 'How a path was found: AutoNEB, or a fitted Bezier curve or polygonal chain.' });

@InputType('CurveConfigInput', { description: "Training of a curve's bend point; every field defaults from the landscape (see docs/curvature.md)." })
export class CurveConfigInput {
  @Field(() => Int, { nullable: true, description: 'Passes over the training set (1 to 1000); default: the epochs the minima were trained for, at most 200.' })
  epochs?: number | null;

  @Field(() => Int, { nullable: true, description: 'Mini-batches per epoch; default: one pass over the training set.' })
  stepsPerEpoch?: number | null;

  @Field(() => Float, { nullable: true, description: "Base learning rate of Garipov's schedule; default: a third of the minima's." })
  learningRate?: number | null;

  @Field(() => Float, { nullable: true, description: "SGD momentum in [0, 1); default: the minima's." })
  momentum?: number | null;

  @Field(() => Float, { nullable: true, description: "Weight decay at the sampled curve point; default: the minima's." })
  weightDecay?: number | null;

  @Field(() => Int, { nullable: true, description: 'Points of the dense evaluation of the finished curve (3 to 1001, default 61).' })
  points?: number | null;

  @Field(() => Int, { nullable: true, description: 'Seeds the sampled t (default 0).' })
  seed?: number | null;
}

export { PathMethod };
