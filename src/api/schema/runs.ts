// GraphQL inputs and events of runs: starting training, AutoNEB and explorations; live progress.
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { JSONObjectResolver } from 'graphql-scalars';
import { RunKind, RunStatus } from './enums';
import { CycleType } from './records';

@InputType('TrainingConfigInput', { description: "Overrides of the landscape's training config for this run." })
export class TrainingConfigInput {
  @Field(() => Int, { nullable: true }) steps?: number;
  @Field(() => Int, { nullable: true }) batchSize?: number;
  @Field(() => Float, { nullable: true }) learningRate?: number;
  @Field(() => Float, { nullable: true }) momentum?: number;
  @Field(() => Float, { nullable: true }) weightDecay?: number;
  @Field(() => [Int], { nullable: true }) milestones?: number[];
}

@InputType('InsertionInput', { description: 'Pivot insertion at the start of a cycle: `equal` (count per segment) or `highest`.' })
export class InsertionInput {
  @Field() strategy!: string;
  @Field(() => Int, { nullable: true }) count?: number;
  @Field(() => Float, { nullable: true, description: '`highest`: residual threshold as a fraction of the pivot energy range.' }) threshold?: number;
}

@InputType('OptimizerInput', { description: 'FIRE fields use the names of ase/optimize/fire.py.' })
export class OptimizerInput {
  @Field({ nullable: true, description: '`sgd` (the paper\'s), `adam` or `fire`.' }) name?: string;
  @Field(() => Float, { nullable: true }) momentum?: number;
  @Field(() => Float, { nullable: true }) weightDecay?: number;
  @Field(() => Float, { nullable: true, description: 'FIRE: largest step of the whole band.' }) maxstep?: number;
  @Field(() => Float, { nullable: true, description: 'FIRE: initial time step.' }) dt?: number;
  @Field(() => Float, { nullable: true, description: 'FIRE: largest time step.' }) dtmax?: number;
  @Field(() => Int, { nullable: true, description: 'FIRE: downhill steps before dt may grow.' }) Nmin?: number;
  @Field(() => Float, { nullable: true, description: 'FIRE: dt growth factor (>= 1).' }) finc?: number;
  @Field(() => Float, { nullable: true, description: 'FIRE: dt cut factor on an uphill step.' }) fdec?: number;
  @Field(() => Float, { nullable: true, description: 'FIRE: initial mixing a.' }) astart?: number;
  @Field(() => Float, { nullable: true, description: 'FIRE: decay of a.' }) fa?: number;
}

@InputType('StopInput', { description: 'Stopping rule of a cycle: largest NEB force relative to the run\'s force scale; windowed for mini-batch energies.' })
export class StopInput {
  @Field(() => Float, { nullable: true, description: 'Force tolerance as a fraction of the force scale, in (0, 1).' }) force?: number;
  @Field(() => Int, { nullable: true, description: 'Mini-batch energies: steps per moving window of the force, and between measurements of the path peak on the fixed evaluation set (0: every step on its own).' }) window?: number;
  @Field(() => Float, { nullable: true, description: 'Mini-batch energies: largest change of the path peak (evaluation set) between measurements, as a fraction of the straight line barrier at its middle.' }) saddle?: number;
}

@InputType('CycleOverrideInput', { description: 'Settings of one AutoNEB cycle; unset fields are inherited from the previous cycle.' })
export class CycleOverrideInput {
  @Field(() => Int, { nullable: true }) steps?: number;
  @Field(() => Float, { nullable: true }) learningRate?: number;
  @Field(() => InsertionInput, { nullable: true, description: 'null: no insertion in this and later cycles.' }) insertion?: InsertionInput | null;
  @Field({ nullable: true, description: '`string` (default, the paper\'s), `improved-tangent` or `elastic-band`.' }) method?: string;
  @Field(() => Float, { nullable: true }) springConstant?: number;
  @Field({ nullable: true, description: 'Climbing image: the highest pivot climbs along the tangent.' }) climbing?: boolean;
  @Field(() => OptimizerInput, { nullable: true }) optimizer?: OptimizerInput;
  @Field(() => Int, { nullable: true, description: 'Dense evaluation points per segment.' }) evaluationPoints?: number;
  @Field(() => StopInput, { nullable: true, description: 'Stopping rule; null: run every step.' }) stop?: StopInput | null;
  @Field({ nullable: true, description: 'Evaluate the fixed endpoints once per run, not at every step.' }) endpointsOnce?: boolean;
  @Field({ nullable: true, description: "Keep the optimiser's state from the previous cycle when no pivot was inserted." }) keepOptimizer?: boolean;
  @Field({ nullable: true, description: 'Optimiser sees forces relative to the force scale and lengths relative to the distance between the minima.' }) relativeUnits?: boolean;
  @Field(() => Float, { nullable: true, description: 'Mini-batch energies: once the run converged, one more cycle at the learning rate times this factor, in (0, 1), its stopping window divided by it, before it ends (the `adaptive` preset: 0.1); null: end at convergence.' }) anneal?: number | null;
}

@InputType('AutonebConfigInput', { description: 'AutoNEB schedule: a preset, optionally with a base override and per-cycle overrides.' })
export class AutonebConfigInput {
  @Field({ nullable: true, description: "Preset (`adaptive`, `paper`, `small`, `tiny`, `surface`); default: the landscape's." }) preset?: string;
  @Field(() => CycleOverrideInput, { nullable: true }) base?: CycleOverrideInput;
  @Field(() => [CycleOverrideInput], { nullable: true, description: "Replaces the preset's cycles." }) cycles?: CycleOverrideInput[];
}

@ObjectType('RunProgressEvent', { description: 'A change of a run: status, progress, or a new AutoNEB cycle.' })
export class RunProgressEventType {
  @Field(() => ID) runId!: string;
  @Field(() => RunKind) kind!: RunKind;
  @Field(() => RunStatus) status!: RunStatus;
  @Field(() => JSONObjectResolver, { nullable: true }) progress!: Record<string, unknown> | null;
  @Field(() => String, { nullable: true }) errorMessage!: string | null;
  @Field(() => ID, { nullable: true }) pathId!: string | null;
  @Field(() => CycleType, { nullable: true, description: 'The cycle this event announces, if any.' }) cycle!: unknown;
  @Field() at!: Date;
}

@ObjectType('CycleEvent', { description: 'A new AutoNEB cycle of a path, as stored.' })
export class CycleEventType {
  @Field(() => ID) pathId!: string;
  @Field(() => ID) runId!: string;
  @Field(() => CycleType) cycle!: unknown;
  @Field() at!: Date;
}
