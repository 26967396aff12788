// Keyset (cursor) pagination over an entity, oldest first, stable under inserts.
import { Cursor, type EntityManager, type EntityName, type FilterQuery } from '@mikro-orm/core';
import { InputError } from './errors';
import { leanRows } from './lean-page';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface PageLimits {
  defaultSize: number;
  maxSize: number;
}

/** What a query reads of a page. */
export interface PageRead {
  /** Only these properties (the columns a query selects); all when absent. */
  fields?: readonly string[];
  /** The query selects totalCount: on a first page it is counted in the same statement. */
  count?: boolean;
}

export interface Page<T> {
  items: T[];
  /** Counted only when asked for (GraphQL `totalCount`): most list reads never ask. */
  totalCount(): Promise<number>;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
  /** Cursor of each item, for connection edges. */
  cursorOf(item: T): string;
}

interface Ordered {
  id: string;
  createdAt: Date;
}

const ORDER = { createdAt: 'asc', id: 'asc' } as const;

function checkCursor(after: string): void {
  let keys: unknown;
  try {
    keys = Cursor.decode(after);
  } catch {
    keys = undefined;
  }
  // Our cursors hold (createdAt, id); anything else was not issued by this server.
  if (!Array.isArray(keys) || keys.length !== 2 || typeof keys[1] !== 'string' || Number.isNaN(Date.parse(String(keys[0])))) {
    throw new InputError('after', 'not a cursor returned by this list (use pageInfo.endCursor)');
  }
}

export async function paginate<T extends Ordered>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  args: PageArgs,
  limits: PageLimits,
  read: PageRead = {},
): Promise<Page<T>> {
  const { fields } = read;
  const first = args.first ?? limits.defaultSize;
  if (!Number.isInteger(first) || first < 1 || first > limits.maxSize) {
    throw new InputError('first', `must be an integer from 1 to ${limits.maxSize}, got ${first}`);
  }
  if (args.after) checkCursor(args.after);
  const after = args.after ? (Cursor.decode(args.after) as [Date, string]) : null;
  const lean = fields ? await leanRows(em, entity, where, fields, first + 1, after, Boolean(read.count && !after)) : null;
  if (lean) {
    const items = lean.rows.slice(0, first);
    const cursorOf = (item: T) => Cursor.encode([item.createdAt, item.id]);
    let counted: Promise<number> | undefined = lean.total === undefined ? undefined : Promise.resolve(lean.total);
    return {
      items,
      totalCount: () => (counted ??= em.count(entity, where)),
      hasNextPage: lean.rows.length > first,
      hasPreviousPage: Boolean(args.after),
      startCursor: items.length ? cursorOf(items[0]) : null,
      endCursor: items.length ? cursorOf(items[items.length - 1]) : null,
      cursorOf,
    };
  }
  const cursor = await em.findByCursor(entity, where, {
    first,
    after: args.after ?? undefined,
    orderBy: ORDER as never,
    includeCount: false, // hasNextPage comes from fetching one row more
    ...(fields ? { fields: fields as never } : {}),
  });
  let count: Promise<number> | undefined;
  return {
    items: cursor.items as T[],
    totalCount: () => (count ??= em.count(entity, where)),
    hasNextPage: cursor.hasNextPage,
    hasPreviousPage: cursor.hasPrevPage,
    startCursor: cursor.startCursor,
    endCursor: cursor.endCursor,
    cursorOf: (item) => cursor.from(item as never),
  };
}
