// GraphQL types of the landscape analysis (spanning tree, bounds, suggestions, summary).
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Path } from '../../store/entities';
import { PathType } from './records';

export enum SaddleWeight {
  TRAIN_LOSS = 'trainLoss',
  TEST_LOSS = 'testLoss',
  TEST_ERROR = 'testError',
}
registerEnumType(SaddleWeight, { name: 'SaddleWeight', description: 'Which saddle value weights the spanning tree.' });

@ObjectType('TreeEdge', { description: 'A path of the spanning tree, weighted by its saddle.' })
export class TreeEdgeType {
  @Field(() => ID) pathId!: string;
  @Field(() => PathType, { description: 'The path itself (saddle, straight-line barrier, cycles, ...).' }) path!: Path;
  @Field(() => ID, { description: 'Minimum at one end.' }) a!: string;
  @Field(() => ID) b!: string;
  @Field(() => Float) weight!: number;
}

@ObjectType('OffTreeEdge', { description: 'A finished path that the tree does not use.' })
export class OffTreeEdgeType extends TreeEdgeType {
  @Field(() => Float, { description: 'Highest weight on the tree chain between its ends.' }) bound!: number;
  @Field({ description: 'True when a concatenation of lower paths beats it (weight > bound).' }) dominated!: boolean;
}

@ObjectType('SpanningTree', { description: 'Minimum spanning tree (Kruskal) of saddle energies; a forest when disconnected.' })
export class SpanningTreeType {
  @Field(() => SaddleWeight) weight!: SaddleWeight;
  @Field(() => [TreeEdgeType]) edges!: TreeEdgeType[];
  @Field(() => [OffTreeEdgeType]) offTree!: OffTreeEdgeType[];
  @Field(() => [[ID]], { description: 'Connected components, lowest minimum first.' }) components!: string[][];
}

@ObjectType('BarrierBound', { description: 'Ultrametric upper bound on the saddle energy between two minima.' })
export class BarrierBoundType {
  @Field(() => Float) energy!: number;
  @Field(() => [TreeEdgeType], { description: 'Chain of tree paths from a to b realising the bound.' }) chain!: TreeEdgeType[];
}

@ObjectType('PairSuggestion')
export class PairSuggestionType {
  @Field(() => ID) a!: string;
  @Field(() => ID) b!: string;
  @Field() reason!: string;
  @Field(() => ID, { nullable: true, description: 'The tree path this pair may replace.' }) replacesPathId!: string | null;
}

@ObjectType('Disconnectivity', { description: 'Single-linkage merge tree of minima by saddle energy.' })
export class DisconnectivityType {
  @Field(() => [ID], { description: 'Minima; leaf i of the linkage.' }) leaves!: string[];
  @Field(() => [[Float]], { description: 'Rows [nodeA, nodeB, height, size] as in scipy.cluster.hierarchy.linkage.' }) linkage!: number[][];
}

@ObjectType('Means', { description: 'Means over the records that have each value.' })
export class MeansType {
  @Field(() => Float, { nullable: true }) trainLoss!: number | null;
  @Field(() => Float, { nullable: true }) testLoss!: number | null;
  @Field(() => Float, { nullable: true }) trainError!: number | null;
  @Field(() => Float, { nullable: true }) testError!: number | null;
  @Field(() => Int, { description: 'Records with a train loss.' }) count!: number;
}

@ObjectType('LandscapeSummary', { description: "The paper's Table 1 row for this landscape." })
export class LandscapeSummaryType {
  @Field(() => MeansType) minima!: MeansType;
  @Field(() => MeansType, { description: 'Over the saddles of the spanning-tree paths.' }) saddles!: MeansType;
  @Field(() => Float, { nullable: true, description: 'Mean saddle train loss / mean minimum train loss.' }) trainLossFactor!: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean saddle test error minus mean minimum test error.' }) testErrorRise!: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean straight-line barrier (train loss) over the tree paths.' }) linearBarrierTree!: number | null;
  @Field(() => Float, { nullable: true, description: 'Mean straight-line barrier over all finished paths.' }) linearBarrierAll!: number | null;
}

@ObjectType('SurfaceGrid', { description: 'An analytic surface sampled on a grid, for contour maps.' })
export class SurfaceGridType {
  @Field(() => [Float]) xs!: number[];
  @Field(() => [Float]) ys!: number[];
  @Field(() => [[Float]], { description: 'values[j][i] = energy at (xs[i], ys[j]).' }) values!: number[][];
  @Field(() => [[Float]], { description: 'Known minima as [x, y, energy].' }) minima!: number[][];
}
