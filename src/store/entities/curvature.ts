import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Landscape } from './landscape';
import { Minimum } from './minimum';
import { Path } from './path';
import { Run } from './run';

/**
 * The curvature of the loss at a minimum or at a path's saddle, from a CURVATURE run: Lanczos's
 * extreme Hessian eigenvalues, the index (eigenvalues below -threshold), Hutchinson's trace and the
 * curvature along the path. Exactly one of minimum and path is set.
 */
@Entity({ tableName: 'curvature' })
export class Curvature {
  [OptionalProps]?: 'id' | 'minimum' | 'path' | 'saddleT' | 'trace' | 'traceStandardError' | 'tangentCurvature' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Landscape, { deleteRule: 'cascade', index: true })
  landscape!: Landscape;

  @ManyToOne(() => Run, { deleteRule: 'cascade', index: true })
  run!: Run;

  @ManyToOne(() => Minimum, { nullable: true, deleteRule: 'cascade', index: true })
  minimum: Minimum | null = null;

  @ManyToOne(() => Path, { nullable: true, deleteRule: 'cascade', index: true })
  path: Path | null = null;

  /** Position on the path of the point measured (the path's saddle when the run started). */
  @Property({ type: 'double', nullable: true })
  saddleT: number | null = null;

  @Property({ type: 'integer' })
  k!: number;

  /** Descending. */
  @Property({ type: 'json' })
  largest!: number[];

  /** Ascending. */
  @Property({ type: 'json' })
  smallest!: number[];

  @Property({ type: 'double', nullable: true })
  trace: number | null = null;

  @Property({ type: 'double', nullable: true })
  traceStandardError: number | null = null;

  @Property({ type: 'double', nullable: true })
  tangentCurvature: number | null = null;

  @Property({ type: 'integer' })
  negativeCount!: number;

  @Property({ type: 'double' })
  threshold!: number;

  /** Gradient evaluations spent. */
  @Property({ type: 'integer' })
  evaluations!: number;

  /** Largest Lanczos reorthogonalisation coefficient: the products' measured noise. */
  @Property({ type: 'double' })
  noise!: number;

  /** Finite-difference step relative to ||θ||. */
  @Property({ type: 'double' })
  relativeStep!: number;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}
