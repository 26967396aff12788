import { randomUUID } from 'node:crypto';
import { ArrayType, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { RunKind, RunStatus } from '../enums';
import { Landscape } from './landscape';

/** One long action (training a minimum, connecting two minima, ...), done by a worker. */
@Entity({ tableName: 'run' })
@Index({ properties: ['status', 'kind'] })
export class Run {
  [OptionalProps]?:
    | 'id' | 'status' | 'config' | 'progress' | 'errorMessage' | 'workerId' | 'resumeCount'
    | 'createdAt' | 'updatedAt' | 'startedAt' | 'finishedAt' | 'parent' | 'result' | 'tags' | 'note';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Landscape, { deleteRule: 'cascade', index: true })
  landscape!: Landscape;

  @Enum({ items: () => RunKind, nativeEnumName: 'run_kind' })
  kind!: RunKind;

  @Enum({ items: () => RunStatus, nativeEnumName: 'run_status' })
  status: RunStatus = RunStatus.QUEUED;

  /** The effective configuration of this run (presets resolved), kept for reproducibility. */
  @Property({ type: 'json' })
  config: Record<string, unknown> = {};

  /** Latest progress record (small: step, cycle, energies), also published as an event. */
  @Property({ type: 'json', nullable: true })
  progress: Record<string, unknown> | null = null;

  @Property({ type: 'text', nullable: true })
  errorMessage: string | null = null;

  /** The exploration that started this run, if any (its CONNECT runs). */
  @ManyToOne(() => Run, { nullable: true, deleteRule: 'set null', index: true })
  parent: Run | null = null;

  /** What a finished run produced beyond its records (an exploration's decisions and tree). */
  @Property({ type: 'json', nullable: true })
  result: Record<string, unknown> | null = null;

  /** The worker holding the run while RUNNING. */
  @Property({ type: 'text', nullable: true })
  workerId: string | null = null;

  /** How often the run was resumed from a checkpoint after its worker stopped. */
  @Property({ type: 'integer' })
  resumeCount: number = 0;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  startedAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  finishedAt: Date | null = null;

  /** Labels to find it by (as experiment trackers keep them); see store/annotations.ts. */
  @Property({ type: ArrayType, defaultRaw: "'{}'" })
  tags: string[] = [];

  /** Free text for people: why it was started, what it showed. */
  @Property({ type: 'text', nullable: true })
  note: string | null = null;
}
