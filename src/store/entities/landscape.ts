import { randomUUID } from 'node:crypto';
import { ArrayType, Collection, Entity, OneToMany, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { ArchitectureSpec, AutonebPreset, DatasetSpec, TrainingConfig } from '../specs';
import { Minimum } from './minimum';
import { Path } from './path';
import { Run } from './run';

/** A loss surface: an architecture on a data set (or an analytic surface) and how it is trained. */
@Entity({ tableName: 'landscape' })
export class Landscape {
  [OptionalProps]?: 'id' | 'createdAt' | 'dataset' | 'autonebPreset' | 'tags' | 'note';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'json' })
  architecture!: ArchitectureSpec;

  /** Null for analytic surfaces, which need no data. */
  @Property({ type: 'json', nullable: true })
  dataset: DatasetSpec | null = null;

  @Property({ type: 'json' })
  training!: TrainingConfig;

  @Property({ type: 'text' })
  autonebPreset: AutonebPreset = 'adaptive';

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  /** Labels to find it by (as experiment trackers keep them); see store/annotations.ts. */
  @Property({ type: ArrayType, defaultRaw: "'{}'" })
  tags: string[] = [];

  /** Free text for people: what it is for, what was learnt. */
  @Property({ type: 'text', nullable: true })
  note: string | null = null;

  @OneToMany(() => Minimum, (minimum) => minimum.landscape)
  minima = new Collection<Minimum>(this);

  @OneToMany(() => Path, (path) => path.landscape)
  paths = new Collection<Path>(this);

  @OneToMany(() => Run, (run) => run.landscape)
  runs = new Collection<Run>(this);
}
