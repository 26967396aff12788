// How a data set's examples are normalised before they reach the model.
import { Field, Float, ObjectType } from 'type-graphql';

@ObjectType('Normalization', {
  description: 'Per-channel normalisation of the inputs: x = (pixel - mean) / std with pixels in [0, 1]; mean and std of the training split.',
})
export class NormalizationType {
  @Field(() => [Float], { description: 'Per channel, in [0, 1] pixel units.' })
  mean!: number[];

  @Field(() => [Float], { description: 'Per channel (population standard deviation).' })
  std!: number[];
}
