import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Path } from './path';

/** A pivot (image) of a path in its latest state: position, parameters, energy. */
@Entity({ tableName: 'pivot' })
@Unique({ properties: ['path', 'index'] })
export class Pivot {
  [OptionalProps]?: 'id' | 'parameters';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Path, { deleteRule: 'cascade' })
  path!: Path;

  /** 0-based position in the chain; 0 is minimum A. */
  @Property({ type: 'integer' })
  index!: number;

  /** Normalised arc length from minimum A (0) to minimum B (1). */
  @Property({ type: 'double' })
  t!: number;

  /** Float32 little-endian parameter vector; lazy, so lists never load it. */
  @Property({ type: 'blob', nullable: true, lazy: true })
  parameters: Buffer | null = null;

  @Property({ type: 'double' })
  energy!: number;
}
