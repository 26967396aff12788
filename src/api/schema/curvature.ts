// GraphQL types of curvature: the result at a minimum or saddle, and the target of a CURVATURE run.
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';

@ObjectType('Curvature', {
  description:
    'Hessian spectrum at a point by Lanczos on finite-difference Hessian-vector products. negativeCount (the index): eigenvalues below -threshold; 1 = a first-order saddle, 0 = a minimum.',
})
export class CurvatureType {
  @Field(() => [Float], { description: 'The k largest eigenvalues, descending.' })
  largest!: number[];

  @Field(() => [Float], { description: 'The k smallest eigenvalues, ascending.' })
  smallest!: number[];

  @Field(() => Float, { nullable: true, description: "Hutchinson's estimate of the Hessian's trace (100 Rademacher probes)." })
  trace!: number | null;

  @Field(() => Float, { nullable: true, description: "Curvature along the path's direction at its saddle (null at a minimum)." })
  tangentCurvature!: number | null;

  @Field(() => Int, { description: 'Eigenvalues below -threshold among the k smallest.' })
  negativeCount!: number;

  @Field(() => Float, { description: "max(1e-4 x the spectrum's scale, 3 x the products' measured noise)." })
  threshold!: number;

  @Field(() => Int, { description: 'Gradient evaluations spent.' })
  evaluations!: number;
}

@InputType('CurvatureTarget', { description: 'Exactly one: a READY minimum, or a path (its saddle).' })
export class CurvatureTargetInput {
  @Field(() => ID, { nullable: true }) minimumId?: string | null;
  @Field(() => ID, { nullable: true }) pathId?: string | null;
}
