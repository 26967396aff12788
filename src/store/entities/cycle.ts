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
  [OptionalProps]?: 'id' | 'createdAt' | 'pivotCoordinates' | 'evaluations' | 'stepsTaken' | 'maxForce' | 'forceScale' | 'converged' | 'annealing' | 'stopReason';

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

  /** Points passed to the energy in this cycle (0 for cycles stored before they were counted). */
  @Property({ type: 'integer' })
  evaluations: number = 0;

  /** Optimiser steps taken (fewer than `steps` when the stopping rule ended the cycle). */
  @Property({ type: 'integer', nullable: true })
  stepsTaken: number | null = null;

  /** Largest NEB force over the interior pivots, the climbing pivot's full gradient included. */
  @Property({ type: 'double', nullable: true })
  maxForce: number | null = null;

  /** The run's force scale, which the stopping rule's tolerance is relative to. */
  @Property({ type: 'double', nullable: true })
  forceScale: number | null = null;

  @Property({ type: 'boolean' })
  converged: boolean = false;

  /** The run converged at its own rate in this cycle or before: later cycles run annealed (AutoNEB's `anneal`). */
  @Property({ type: 'boolean' })
  annealing: boolean = false;

  /** Why the run ended after this cycle (`converged`, `schedule-exhausted`); null when it went on. */
  @Property({ type: 'text', nullable: true })
  stopReason: string | null = null;

  /** Pivot coordinates after the cycle, kept only for small landscapes (the 2-D surfaces). */
  @Property({ type: 'json', nullable: true })
  pivotCoordinates: number[][] | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}
