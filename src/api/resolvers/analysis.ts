// Analysis fields of a landscape: thin resolvers over src/store/analysis.ts.
import { Arg, Ctx, FieldResolver, ID, Int, Resolver, Root } from 'type-graphql';
import { getSurface, type Means, type TreeEdge } from '../../engine';
import {
  BarrierBoundType,
  DisconnectivityType,
  LandscapeSummaryType,
  PairSuggestionType,
  SaddleWeight,
  SpanningTreeType,
  SurfaceGridType,
  type MeansType,
  type TreeEdgeType,
} from '../schema/analysis';
import { LandscapeType } from '../schema/landscape';
import type { Landscape, Path } from '../../store/entities';
import { landscapeDimension } from '../../runs/bridge/layouts';
import {
  landscapeBarrierBound,
  landscapeDisconnectivity,
  landscapeSpanningTree,
  landscapeSuggestions,
  landscapeSummary,
} from '../../store/analysis';
import { InputError } from '../../store/errors';
import type { Context } from './context';

const toMeans = (m: Means): MeansType => ({ trainLoss: m.trainLoss, testLoss: m.testLoss, trainError: m.trainError, testError: m.testError, count: m.counts.trainLoss });

/** An engine tree edge with the stored path it names (every edge comes from a stored path). */
const withPath = (paths: Map<string, Path>) => (edge: TreeEdge): TreeEdgeType => ({ pathId: edge.pathId, path: paths.get(edge.pathId)!, a: edge.a, b: edge.b, weight: edge.weight });

@Resolver(() => LandscapeType)
export class AnalysisResolver {
  @FieldResolver(() => SpanningTreeType)
  async spanningTree(
    @Root() landscape: Landscape,
    @Arg('weight', () => SaddleWeight, { defaultValue: SaddleWeight.TRAIN_LOSS }) weight: SaddleWeight,
    @Ctx() ctx: Context,
  ): Promise<SpanningTreeType> {
    const { tree, paths } = await landscapeSpanningTree(ctx.em, landscape.id, weight);
    const edge = withPath(paths);
    return {
      weight,
      edges: tree.edges.map(edge),
      offTree: tree.offTree.map((e) => ({ ...edge(e), bound: e.bound, dominated: e.dominated })),
      components: tree.components.map((c) => [...c]),
    };
  }

  @FieldResolver(() => BarrierBoundType, { nullable: true, description: 'Null when a and b lie in different components.' })
  async barrierBound(
    @Root() landscape: Landscape,
    @Arg('a', () => ID) a: string,
    @Arg('b', () => ID) b: string,
    @Arg('weight', () => SaddleWeight, { defaultValue: SaddleWeight.TRAIN_LOSS }) weight: SaddleWeight,
    @Ctx() ctx: Context,
  ): Promise<BarrierBoundType | null> {
    const { bound, paths } = await landscapeBarrierBound(ctx.em, landscape.id, a, b, weight);
    return bound && { energy: bound.energy, chain: bound.chain.map(withPath(paths)) };
  }

  @FieldResolver(() => [PairSuggestionType], { description: 'Pairs to connect next: strategy `mst` (the paper\'s algorithm 3), `disconnected`, `unfinished` or `lowest`.' })
  async suggestions(
    @Root() landscape: Landscape,
    @Arg('limit', () => Int, { defaultValue: 5 }) limit: number,
    @Arg('strategy', () => String, { defaultValue: 'mst' }) strategy: string,
    @Arg('weight', () => SaddleWeight, { defaultValue: SaddleWeight.TRAIN_LOSS }) weight: SaddleWeight,
    @Ctx() ctx: Context,
  ): Promise<PairSuggestionType[]> {
    const pairs = await landscapeSuggestions(ctx.em, landscape.id, strategy, limit, weight);
    return pairs.map((p) => ({ a: p.a, b: p.b, reason: p.reason, replacesPathId: p.replaces?.pathId ?? null }));
  }

  @FieldResolver(() => DisconnectivityType)
  async disconnectivity(
    @Root() landscape: Landscape,
    @Arg('weight', () => SaddleWeight, { defaultValue: SaddleWeight.TRAIN_LOSS }) weight: SaddleWeight,
    @Ctx() ctx: Context,
  ): Promise<DisconnectivityType> {
    const d = await landscapeDisconnectivity(ctx.em, landscape.id, weight);
    return { leaves: [...d.leaves], linkage: d.linkage.map((row) => [...row]) };
  }

  @FieldResolver(() => LandscapeSummaryType)
  async summary(@Root() landscape: Landscape, @Ctx() ctx: Context): Promise<LandscapeSummaryType> {
    const s = await landscapeSummary(ctx.em, landscape.id);
    return {
      minima: toMeans(s.minima),
      saddles: toMeans(s.saddles),
      trainLossFactor: s.trainLossFactor,
      testErrorRise: s.testErrorRise,
      linearBarrierTree: s.linearBarrier.tree.trainLoss,
      linearBarrierAll: s.linearBarrier.all.trainLoss,
    };
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Number of parameters of a point of the landscape (2 for the analytic surfaces).' })
  dimension(@Root() landscape: Landscape): number {
    return landscapeDimension(landscape);
  }

  @FieldResolver(() => SurfaceGridType, { nullable: true, description: 'Analytic surfaces only: the energy on a grid for a contour map.' })
  surfaceGrid(@Root() landscape: Landscape, @Arg('resolution', () => Int, { defaultValue: 80 }) resolution: number): SurfaceGridType | null {
    if (landscape.architecture.kind !== 'surface') return null;
    if (!Number.isInteger(resolution) || resolution < 2 || resolution > 400) throw new InputError('resolution', `must be an integer from 2 to 400, got ${resolution}`);
    const surface = getSurface(landscape.architecture.name);
    const { xmin, xmax, ymin, ymax } = surface.box;
    const xs = Array.from({ length: resolution }, (_, i) => xmin + ((xmax - xmin) * i) / (resolution - 1));
    const ys = Array.from({ length: resolution }, (_, j) => ymin + ((ymax - ymin) * j) / (resolution - 1));
    return {
      xs,
      ys,
      values: ys.map((y) => xs.map((x) => surface.value(x, y))),
      minima: surface.minima.map((m) => [m.x, m.y, m.energy]),
    };
  }
}
