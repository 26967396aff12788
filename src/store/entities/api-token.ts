import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** What a bearer token allows: `read` queries and subscriptions, `write` also mutations and uploads. */
export type TokenScope = 'read' | 'write';

/**
 * A bearer token of the API. Only the SHA-256 of the token is stored (see src/http/auth.ts for why a
 * plain hash suffices): the token itself is shown once, when it is created.
 */
@Entity({ tableName: 'api_token' })
export class ApiToken {
  [OptionalProps]?: 'id' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** What the token is for (`web client`, `ci`, a person's name); shown by `token list`. */
  @Property({ type: 'text' })
  name!: string;

  @Property({ type: 'text' })
  scope!: TokenScope;

  /** Hex SHA-256 of the token. */
  @Property({ type: 'text' })
  @Unique()
  hash!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
