// GraphQL types of what workers produce: minima, runs, paths with their cycles and pivots.
// Relations (landscape, minimumA, ...) are resolved by field resolvers in src/resolvers.
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { JSONObjectResolver } from 'graphql-scalars';
import { MinimumStatus, PathStatus, RunKind, RunStatus } from './enums';

/** Mean cross-entropy and error rate on the full train and test sets (errors null on surfaces). */
@ObjectType()
abstract class MetricsType {
  @Field(() => Float, { nullable: true })
  trainLoss!: number | null;

  @Field(() => Float, { nullable: true })
  testLoss!: number | null;

  @Field(() => Float, { nullable: true })
  trainError!: number | null;

  @Field(() => Float, { nullable: true })
  testError!: number | null;
}

@ObjectType('Minimum')
export class MinimumType extends MetricsType {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: 'Seed of initialisation and batch order.' })
  seed!: number;

  @Field(() => MinimumStatus)
  status!: MinimumStatus;

  @Field(() => Int, { nullable: true })
  parameterCount!: number | null;

  @Field()
  createdAt!: Date;
}

@ObjectType('Run', { description: 'A long action done by a worker; progress is re-readable here.' })
export class RunType {
  @Field(() => ID)
  id!: string;

  @Field(() => RunKind)
  kind!: RunKind;

  @Field(() => RunStatus)
  status!: RunStatus;

  @Field(() => JSONObjectResolver, { description: 'Effective configuration (presets resolved).' })
  config!: Record<string, unknown>;

  @Field(() => JSONObjectResolver, { nullable: true, description: 'Latest progress record.' })
  progress!: Record<string, unknown> | null;

  @Field(() => String, { nullable: true })
  errorMessage!: string | null;

  @Field(() => String, { nullable: true })
  workerId!: string | null;

  @Field(() => JSONObjectResolver, { nullable: true, description: 'What a finished run produced (an exploration: its decisions and tree).' })
  result!: Record<string, unknown> | null;

  @Field(() => Int, { description: 'Times the run was resumed from a checkpoint.' })
  resumeCount!: number;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;

  @Field(() => Date, { nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;
}

@ObjectType('Saddle', { description: 'The highest point of the path: position t in [0, 1] and its losses.' })
export class SaddleType extends MetricsType {
  @Field(() => Float)
  t!: number;
}

@ObjectType('ProfilePoint')
export class ProfilePointType {
  @Field(() => Float)
  t!: number;

  @Field(() => Float)
  energy!: number;
}

@ObjectType('Cycle', { description: 'One AutoNEB cycle of a path.' })
export class CycleType {
  @Field(() => Int, { description: '1-based.' })
  index!: number;

  @Field(() => Int)
  steps!: number;

  @Field(() => Float)
  learningRate!: number;

  @Field(() => [Float], { description: 'Energy of each pivot at the end of the cycle.' })
  pivotEnergies!: number[];

  @Field(() => [ProfilePointType], { description: 'Energies evaluated densely along the path.' })
  denseProfile!: ProfilePointType[];

  @Field(() => Float)
  maxEnergy!: number;

  @Field(() => [Float], { description: 'Arc-length position t of each pivot.' })
  pivotPositions!: number[];

  @Field(() => Float, { description: 'Position of the highest point of the dense profile.' })
  saddleT!: number;

  @Field(() => Float, { description: 'Largest gradient norm perpendicular to the path over the pivots (convergence).' })
  maxPerpendicularGradient!: number;

  @Field(() => Int)
  pivotsInserted!: number;

  @Field(() => [[Float]], { nullable: true, description: 'Pivot coordinates after the cycle (landscapes of dimension <= 16 only).' })
  pivotCoordinates!: number[][] | null;

  @Field()
  createdAt!: Date;
}

@ObjectType('EvaluatedPoint', { description: 'A point of a path evaluated on the full data sets.' })
export class EvaluatedPointType {
  @Field(() => Float)
  t!: number;

  @Field(() => Float)
  trainLoss!: number;

  @Field(() => Float)
  testLoss!: number;

  @Field(() => Float, { nullable: true })
  trainError!: number | null;

  @Field(() => Float, { nullable: true })
  testError!: number | null;
}

@ObjectType('PathDownloads', { description: 'URLs (relative to the server) of safetensors files.' })
export class PathDownloadsType {
  @Field({ description: 'All pivots, named pivot.<i>.<parameter>.' })
  pivots!: string;

  @Field({ description: 'The parameters at the saddle.' })
  saddle!: string;
}

@ObjectType('Pivot', { description: 'A pivot of the path in its latest state (parameters are downloaded separately).' })
export class PivotType {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: '0-based position in the chain; 0 is minimum A.' })
  index!: number;

  @Field(() => Float, { description: 'Normalised arc length from minimum A.' })
  t!: number;

  @Field(() => Float)
  energy!: number;
}

@ObjectType('Path', { description: 'A minimum energy path between two minima, found by AutoNEB.' })
export class PathType {
  @Field(() => ID)
  id!: string;

  @Field(() => PathStatus)
  status!: PathStatus;

  @Field(() => Float, { nullable: true, description: 'Highest train loss on the straight line between the minima.' })
  linearBarrier!: number | null;

  @Field(() => [ProfilePointType], { nullable: true, description: 'Energy on the straight line between the minima (what AutoNEB improves on).' })
  linearProfile!: ProfilePointType[] | null;

  @Field(() => [EvaluatedPointType], { nullable: true, description: 'Dense profile on the full train and test sets (after evaluatePath).' })
  evaluatedProfile!: EvaluatedPointType[] | null;

  @Field(() => Float, { nullable: true, description: 'Euclidean length through the pivots.' })
  length!: number | null;

  @Field(() => Int)
  cyclesDone!: number;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}
