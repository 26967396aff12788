import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Path } from './path';

/** One point of the dense energy profile: position t along the path and the energy there. */
export interface ProfilePoint {
  t: number;
  energy: number;
}

/** The record of one AutoNEB cycle of a path (NEB steps at one learning rate, then evaluation). */
@Entity({ tableName: 'cycle' })
@Unique({ properties: ['path', 'index'] })
export class Cycle {
  [OptionalProps]?: 'id' | 'createdAt' | 'pivotCoordinates';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Path, { deleteRule: 'cascade' })
  path!: Path;

  /** 1-based cycle number. */
  @Property({ type: 'integer' })
  index!: number;

  @Property({ type: 'integer' })
  steps!: number;

  @Property({ type: 'double' })
  learningRate!: number;

  /** Energy of every pivot at the end of the cycle, in path order. */
  @Property({ type: 'json' })
  pivotEnergies!: number[];

  /** Energies evaluated densely between pivots. */
  @Property({ type: 'json' })
  denseProfile!: ProfilePoint[];

  @Property({ type: 'double' })
  maxEnergy!: number;

  /** Arc-length position t in [0, 1] of every pivot. */
  @Property({ type: 'json' })
  pivotPositions!: number[];

  /** Position of the highest point of the dense profile. */
  @Property({ type: 'double' })
  saddleT!: number;

  /** Largest gradient component perpendicular to the path over the pivots: the convergence measure. */
  @Property({ type: 'double' })
  maxPerpendicularGradient!: number;

  @Property({ type: 'integer' })
  pivotsInserted!: number;

  /** Pivot coordinates after the cycle, kept only for small landscapes (the 2-D surfaces). */
  @Property({ type: 'json', nullable: true })
  pivotCoordinates: number[][] | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}
