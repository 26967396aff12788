// Fields of a landscape's data set that are computed from the data itself.
import { FieldResolver, Resolver, Root } from 'type-graphql';
import { DatasetType } from '../schema/landscape';
import { NormalizationType } from '../schema/normalization';
import { datasetNormalization } from '../../runs/bridge/normalization';
import type { DatasetSpec } from '../../store/specs';

@Resolver(() => DatasetType)
export class DatasetResolver {
  @FieldResolver(() => NormalizationType, {
    nullable: true,
    description: 'What the server feeds the model: null when inputs are not normalised. Reading it loads the data set on the server (once).',
  })
  normalization(@Root() dataset: DatasetSpec): NormalizationType | null {
    return datasetNormalization(dataset);
  }
}
