// GraphQL types of a landscape and of the input that creates one.
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ARCHITECTURE_KINDS, AUTONEB_PRESETS, DATASET_NAMES, SURFACE_NAMES } from '../../store/specs';

const list = (values: readonly string[]) => values.map((v) => `\`${v}\``).join(', ');

@ObjectType('Architecture', { description: 'The model whose loss is the landscape, or an analytic surface.' })
export class ArchitectureType {
  @Field({ description: `One of ${list(ARCHITECTURE_KINDS)}.` })
  kind!: string;

  @Field(() => [Int], { nullable: true, description: 'mlp: hidden layer widths.' })
  widths?: number[];

  @Field(() => Int, { nullable: true, description: 'resnet: depth (6n+2).' })
  depth?: number;

  @Field(() => [Int], { nullable: true, description: 'cnn: channels per convolution; resnet: width per stage.' })
  channels?: number[];

  @Field({ nullable: true, description: 'surface: its name.' })
  surface?: string;
}

@ObjectType('Dataset')
export class DatasetType {
  @Field({ description: `One of ${list(DATASET_NAMES)}.` })
  name!: string;

  @Field({ nullable: true })
  dir?: string;

  @Field(() => Int, { nullable: true })
  trainSize?: number;

  @Field(() => Int, { nullable: true })
  testSize?: number;

  @Field(() => Int, { nullable: true })
  features?: number;

  @Field(() => Int, { nullable: true })
  classes?: number;

  @Field(() => Int, { nullable: true })
  seed?: number;
}

@ObjectType('TrainingConfig', { description: 'How minima are trained: SGD with momentum and a step schedule.' })
export class TrainingConfigType {
  @Field(() => Int)
  steps!: number;

  @Field(() => Int)
  batchSize!: number;

  @Field(() => Float)
  learningRate!: number;

  @Field(() => Float)
  momentum!: number;

  @Field(() => Float)
  weightDecay!: number;

  @Field(() => [Int], { description: 'Steps at which the learning rate drops tenfold.' })
  milestones!: number[];
}

@ObjectType('Landscape')
export class LandscapeType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => ArchitectureType)
  architecture!: ArchitectureType;

  @Field(() => DatasetType, { nullable: true, description: 'Null for analytic surfaces.' })
  dataset!: DatasetType | null;

  @Field(() => TrainingConfigType)
  training!: TrainingConfigType;

  @Field({ description: `AutoNEB schedule: ${list(AUTONEB_PRESETS)}.` })
  autonebPreset!: string;

  @Field()
  createdAt!: Date;
}

@InputType({ description: 'Per kind: mlp needs widths; cnn takes channels; resnet needs depth, takes channels; surface needs surface.' })
export class ArchitectureInput {
  @Field({ description: `One of ${list(ARCHITECTURE_KINDS)}.` })
  kind!: string;

  @Field(() => [Int], { nullable: true })
  widths?: number[] | null;

  @Field(() => Int, { nullable: true })
  depth?: number | null;

  @Field(() => [Int], { nullable: true })
  channels?: number[] | null;

  @Field(() => String, { nullable: true, description: `One of ${list(SURFACE_NAMES)}.` })
  surface?: string | null;
}

@InputType()
export class DatasetInput {
  @Field({ description: `One of ${list(DATASET_NAMES)}.` })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Directory of IDX or CIFAR binary files.' })
  dir?: string | null;

  @Field(() => Int, { nullable: true })
  trainSize?: number | null;

  @Field(() => Int, { nullable: true })
  testSize?: number | null;

  @Field(() => Int, { nullable: true, description: 'synthetic: input dimension.' })
  features?: number | null;

  @Field(() => Int, { nullable: true, description: 'synthetic: number of classes.' })
  classes?: number | null;

  @Field(() => Int, { nullable: true })
  seed?: number | null;
}

@InputType({ description: "Omitted fields take the paper's values (64000 steps, batch 128, lr 0.1, momentum 0.9, weight decay 1e-4)." })
export class TrainingInput {
  @Field(() => Int, { nullable: true })
  steps?: number | null;

  @Field(() => Int, { nullable: true })
  batchSize?: number | null;

  @Field(() => Float, { nullable: true })
  learningRate?: number | null;

  @Field(() => Float, { nullable: true })
  momentum?: number | null;

  @Field(() => Float, { nullable: true })
  weightDecay?: number | null;

  @Field(() => [Int], { nullable: true, description: 'Default: 1/2 and 3/4 of steps.' })
  milestones?: number[] | null;
}

@InputType()
export class CreateLandscapeInput {
  @Field()
  name!: string;

  @Field(() => ArchitectureInput)
  architecture!: ArchitectureInput;

  @Field(() => DatasetInput, { nullable: true, description: 'Required except for analytic surfaces.' })
  dataset?: DatasetInput | null;

  @Field(() => TrainingInput, { nullable: true })
  training?: TrainingInput | null;

  @Field(() => String, { nullable: true, description: `One of ${list(AUTONEB_PRESETS)} (default \`paper\`).` })
  autonebPreset?: string | null;
}

@ObjectType('Catalog', { description: 'The names createLandscape accepts.' })
export class CatalogType {
  @Field(() => [String])
  architectureKinds!: readonly string[];

  @Field(() => [String])
  datasetNames!: readonly string[];

  @Field(() => [String])
  surfaceNames!: readonly string[];

  @Field(() => [String])
  autonebPresets!: readonly string[];
}
