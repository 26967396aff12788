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

@InputType('OptimizerInput')
export class OptimizerInput {
  @Field({ nullable: true, description: '`sgd` (the paper\'s) or `adam`.' }) name?: string;
  @Field(() => Float, { nullable: true }) momentum?: number;
  @Field(() => Float, { nullable: true }) weightDecay?: number;
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
}

@InputType('AutonebConfigInput', { description: 'AutoNEB schedule: a preset, optionally with a base override and per-cycle overrides.' })
export class AutonebConfigInput {
  @Field({ nullable: true, description: "Preset (`paper`, `small`, `tiny`, `surface`); default: the landscape's." }) preset?: string;
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
