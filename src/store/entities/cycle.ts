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
  [OptionalProps]?: 'id' | 'createdAt';

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

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}
