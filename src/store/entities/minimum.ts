import { randomUUID } from 'node:crypto';
import { Entity, Enum, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { MinimumStatus } from '../enums';
import { Landscape } from './landscape';
import { Run } from './run';

/** A minimum of a landscape: trained parameters (float32, stored as bytes) and their losses. */
@Entity({ tableName: 'minimum' })
export class Minimum {
  [OptionalProps]?:
    | 'id' | 'status' | 'run' | 'parameters' | 'parameterCount'
    | 'trainLoss' | 'testLoss' | 'trainError' | 'testError' | 'createdAt' | 'alignedTo' | 'alignedFrom' | 'alignment';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Landscape, { deleteRule: 'cascade', index: true })
  landscape!: Landscape;

  /** The seed of initialisation and batch order; null for an imported minimum of unknown seed. */
  @Property({ type: 'integer', nullable: true })
  seed!: number | null;

  @Enum({ items: () => MinimumStatus, nativeEnumName: 'minimum_status' })
  status: MinimumStatus = MinimumStatus.TRAINING;

  /** The TRAIN run that produced it; null for imported minima. */
  @ManyToOne(() => Run, { nullable: true, deleteRule: 'set null' })
  run: Run | null = null;

  /** Float32 little-endian parameter vector; lazy, so lists never load it. */
  @Property({ type: 'blob', nullable: true, lazy: true })
  parameters: Buffer | null = null;

  @Property({ type: 'integer', nullable: true })
  parameterCount: number | null = null;

  @Property({ type: 'double', nullable: true })
  trainLoss: number | null = null;

  @Property({ type: 'double', nullable: true })
  testLoss: number | null = null;

  @Property({ type: 'double', nullable: true })
  trainError: number | null = null;

  @Property({ type: 'double', nullable: true })
  testError: number | null = null;

  /** For an aligned copy: the minimum whose units it was permuted to match. */
  @ManyToOne(() => Minimum, { nullable: true, deleteRule: 'set null' })
  alignedTo: Minimum | null = null;

  /** For an aligned copy: the minimum it is a permutation of (same function, other coordinates). */
  @ManyToOne(() => Minimum, { nullable: true, deleteRule: 'set null', index: true })
  alignedFrom: Minimum | null = null;

  /** For an aligned copy: how it was aligned (method, seed, sweeps, seconds). */
  @Property({ type: 'json', nullable: true })
  alignment: Record<string, unknown> | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}
