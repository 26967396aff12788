import { randomUUID } from 'node:crypto';
import { Collection, Entity, Enum, ManyToOne, OneToMany, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { PathMethod, PathStatus } from '../enums';
import { Cycle, type ProfilePoint } from './cycle';
import { Landscape } from './landscape';
import { Minimum } from './minimum';
import { Pivot } from './pivot';
import { Run } from './run';

/** One point of a path evaluated on the full data sets. */
export interface EvaluatedPoint {
  t: number;
  trainLoss: number;
  testLoss: number;
  trainError: number | null;
  testError: number | null;
}

/** A straight line between two minima evaluated on the full sets (linear mode connectivity). */
export interface LinearEvaluation {
  points: EvaluatedPoint[];
  /** BatchNorm running statistics at the interpolated points: RECOMPUTED on training batches, or NONE (no BatchNorm). */
  batchNorm: 'RECOMPUTED' | 'NONE';
}

/**
 * A minimum energy path between two minima, found by AutoNEB (or a fitted curve, `method`). Its
 * saddle is the highest point of the dense energy profile along the path (t in [0, 1] from
 * minimum A to minimum B).
 */
@Entity({ tableName: 'path' })
export class Path {
  [OptionalProps]?:
    | 'id' | 'status' | 'run' | 'saddleT' | 'saddleTrainLoss' | 'saddleTestLoss' | 'saddleTrainError'
    | 'saddleTestError' | 'linearBarrier' | 'length' | 'cyclesDone' | 'createdAt' | 'updatedAt'
    | 'linearProfile' | 'evaluatedProfile' | 'alignedMinimumB' | 'alignedLinearBarrier' | 'alignedLinearProfile'
    | 'linearEvaluated' | 'alignedLinearEvaluated' | 'evaluations' | 'stopReason' | 'method' | 'epochsDone' | 'curveBend' | 'curveVelocity';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Landscape, { deleteRule: 'cascade', index: true })
  landscape!: Landscape;

  @ManyToOne(() => Minimum, { deleteRule: 'cascade', index: true })
  minimumA!: Minimum;

  @ManyToOne(() => Minimum, { deleteRule: 'cascade', index: true })
  minimumB!: Minimum;

  /** The CONNECT run computing it. */
  @ManyToOne(() => Run, { nullable: true, deleteRule: 'set null' })
  run: Run | null = null;

  @Enum({ items: () => PathStatus, nativeEnumName: 'path_status' })
  status: PathStatus = PathStatus.PENDING;

  @Property({ type: 'double', nullable: true })
  saddleT: number | null = null;

  @Property({ type: 'double', nullable: true })
  saddleTrainLoss: number | null = null;

  @Property({ type: 'double', nullable: true })
  saddleTestLoss: number | null = null;

  @Property({ type: 'double', nullable: true })
  saddleTrainError: number | null = null;

  @Property({ type: 'double', nullable: true })
  saddleTestError: number | null = null;

  /** Highest train loss on the straight line between the minima (the baseline AutoNEB beats). */
  @Property({ type: 'double', nullable: true })
  linearBarrier: number | null = null;

  /** Energies on the straight line between the minima (the energy AutoNEB sees). */
  @Property({ type: 'json', nullable: true })
  linearProfile: ProfilePoint[] | null = null;

  /**
   * Set when the path was connected with `align`: the copy of minimum B permuted to match A. The
   * path's pivots then run from A to this copy (the same function as B, other coordinates).
   */
  @ManyToOne(() => Minimum, { nullable: true, deleteRule: 'set null' })
  alignedMinimumB: Minimum | null = null;

  /** Highest train loss on the straight line from A to the aligned copy of B. */
  @Property({ type: 'double', nullable: true })
  alignedLinearBarrier: number | null = null;

  /** Energies on the straight line from A to the aligned copy of B. */
  @Property({ type: 'json', nullable: true })
  alignedLinearProfile: ProfilePoint[] | null = null;

  /** The straight line A -> B on the full train and test sets, from an EVALUATE run. */
  @Property({ type: 'json', nullable: true })
  linearEvaluated: LinearEvaluation | null = null;

  /** The straight line A -> aligned B on the full train and test sets, from an EVALUATE run. */
  @Property({ type: 'json', nullable: true })
  alignedLinearEvaluated: LinearEvaluation | null = null;

  /** Dense profile on the full train and test sets, from an EVALUATE run. */
  @Property({ type: 'json', nullable: true })
  evaluatedProfile: EvaluatedPoint[] | null = null;

  /** Euclidean length of the path through its pivots. */
  @Property({ type: 'double', nullable: true })
  length: number | null = null;

  @Property({ type: 'integer' })
  cyclesDone: number = 0;

  /** Points AutoNEB passed to the energy over all cycles (the straight line's profile not included). */
  @Property({ type: 'integer' })
  evaluations: number = 0;

  /** Why AutoNEB ended: `converged`, `schedule-exhausted` (null while running or when cancelled). */
  @Property({ type: 'text', nullable: true })
  stopReason: string | null = null;

  @Enum({ items: () => PathMethod, nativeEnumName: 'path_method' })
  method: PathMethod = PathMethod.AUTONEB;

  /** A curve: epochs of its bend point's training stored (the state a resumed run starts from). */
  @Property({ type: 'integer' })
  epochsDone: number = 0;

  /** A curve: its bend point after `epochsDone` epochs (float32 bytes); lazy. */
  @Property({ type: 'blob', nullable: true, lazy: true })
  curveBend: Buffer | null = null;

  /** A curve: the SGD momentum after `epochsDone` epochs (float32 bytes); lazy. */
  @Property({ type: 'blob', nullable: true, lazy: true })
  curveVelocity: Buffer | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @OneToMany(() => Cycle, (cycle) => cycle.path, { orderBy: { index: 'asc' } })
  cycles = new Collection<Cycle>(this);

  @OneToMany(() => Pivot, (pivot) => pivot.path, { orderBy: { index: 'asc' } })
  pivots = new Collection<Pivot>(this);
}
