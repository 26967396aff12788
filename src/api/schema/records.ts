// GraphQL types of what workers produce: minima, runs, paths with their cycles and pivots.
// Relations (landscape, minimumA, ...) are resolved by field resolvers in src/resolvers.
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { JSONObjectResolver } from 'graphql-scalars';
import { MinimumStatus, PathStatus, RunKind, RunStatus } from './enums';
import { PathMethod } from './curves';

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

  @Field(() => Int, { nullable: true, description: 'Seed of initialisation and batch order; null for an imported minimum whose seed was not given.' })
  seed!: number | null;

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

  @Field(() => [String], { description: 'Labels to find it by: `runs(tags: ...)` lists those carrying all given.' })
  tags!: string[];

  @Field(() => String, { nullable: true, description: 'Free text for people.' })
  note!: string | null;
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

  @Field(() => Int, { description: 'Points passed to the energy in this cycle (gradients and losses; 0 for cycles stored before they were counted).' })
  evaluations!: number;

  @Field(() => Int, { nullable: true, description: 'Optimiser steps taken (fewer than `steps` when the stopping rule ended the cycle).' })
  stepsTaken!: number | null;

  @Field(() => Float, { nullable: true, description: "Largest NEB force over the interior pivots, the climbing pivot's full gradient included (the stopping rule's measure)." })
  maxForce!: number | null;

  @Field(() => Float, { nullable: true, description: "The run's force scale (largest force on its first band): the stopping rule's tolerance is relative to it." })
  forceScale!: number | null;

  @Field({ description: "Whether this cycle's stopping rule was met." })
  converged!: boolean;

  @Field({ description: 'Whether the run converged at its own rate in this cycle or before, so that later cycles run annealed (the learning rate times the config\'s `anneal`).' })
  annealing!: boolean;

  @Field(() => String, { nullable: true, description: 'Why the run ended after this cycle (`converged`, `schedule-exhausted`); null when it went on.' })
  stopReason!: string | null;

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

@ObjectType('Path', { description: 'A path between two minima: a minimum energy path found by AutoNEB, or a fitted curve (method).' })
export class PathType {
  @Field(() => ID)
  id!: string;

  @Field(() => PathMethod, { description: 'AUTONEB, or BEZIER / POLYCHAIN for a curve from fitCurve (the spanning tree and Table 1 use AUTONEB paths).' })
  method!: PathMethod;

  @Field(() => PathStatus)
  status!: PathStatus;

  @Field(() => Float, { nullable: true, description: 'Highest train loss on the straight line between the minima.' })
  linearBarrier!: number | null;

  @Field(() => [ProfilePointType], { nullable: true, description: 'Energy on the straight line between the minima (what AutoNEB improves on).' })
  linearProfile!: ProfilePointType[] | null;

  @Field(() => Float, { nullable: true, description: 'With `align`: highest train loss on the straight line from A to the aligned copy of B.' })
  alignedLinearBarrier!: number | null;

  @Field(() => [ProfilePointType], { nullable: true, description: 'With `align`: energy on the straight line from A to the aligned copy of B.' })
  alignedLinearProfile!: ProfilePointType[] | null;

  @Field(() => [EvaluatedPointType], { nullable: true, description: 'Dense profile on the full train and test sets (after evaluatePath).' })
  evaluatedProfile!: EvaluatedPointType[] | null;

  @Field(() => Float, { nullable: true, description: 'Euclidean length through the pivots.' })
  length!: number | null;

  @Field(() => Int)
  cyclesDone!: number;

  @Field(() => Int, { description: 'Points AutoNEB passed to the energy over all cycles (the straight-line profile not included).' })
  evaluations!: number;

  @Field(() => String, { nullable: true, description: 'Why AutoNEB ended: `converged` (stopping rule) or `schedule-exhausted`; null while running or when its run was cancelled or failed.' })
  stopReason!: string | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}
