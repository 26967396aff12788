// A page of plain rows for list reads that select only plain columns. Measured under load
// (docs/serving.md), most of a list read's CPU went into the ORM's find (criteria processing,
// hydration, identity map, change-set snapshots) and the garbage it leaves, not into the SQL.
// A page is read-only: its items are plain objects shaped like the entity (many-to-one
// properties as `{ id }`), never managed, so nothing can be flushed from them by mistake.
import { raw, ReferenceKind, type EntityManager, type Platform, type EntityMetadata, type EntityName, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager as SqlEntityManager } from '@mikro-orm/postgresql';

interface Column {
  prop: string;
  column: string;
  /** Driver value to property value, as the ORM converts it. */
  convert: (value: unknown) => unknown;
}

const plans = new WeakMap<EntityMetadata, Map<string, Column[] | null>>();

/** Runtime types read as the driver returns them. */
const AS_IS = new Set(['string', 'number', 'boolean']);

/** How to read these properties as columns, or null when one of them is not a plain column. */
function plan(meta: EntityMetadata, platform: Platform, fields: readonly string[]): Column[] | null {
  let byFields = plans.get(meta);
  if (!byFields) plans.set(meta, (byFields = new Map()));
  const key = fields.join(',');
  if (byFields.has(key)) return byFields.get(key)!;
  let columns: Column[] | null = [];
  for (const name of fields) {
    const prop = meta.properties[name];
    let convert: Column['convert'] | null = null;
    if (prop?.fieldNames?.length === 1) {
      if (prop.kind === ReferenceKind.MANY_TO_ONE) convert = (v) => (v == null ? null : { id: v });
      else if (prop.kind !== ReferenceKind.SCALAR) convert = null;
      else if (prop.customType) convert = (v) => (v == null ? null : prop.customType!.convertToJSValue(v, platform));
      else if (prop.runtimeType === 'Date') convert = (v) => (v == null || v instanceof Date ? v : platform.parseDate(v as string));
      else if (AS_IS.has(prop.runtimeType) || prop.enum) convert = (v) => v;
    }
    if (!convert) {
      columns = null;
      break;
    }
    columns.push({ prop: name, column: prop.fieldNames[0], convert });
  }
  byFields.set(key, columns);
  return columns;
}

/**
 * Up to `limit` rows matching `where` (and after the keyset `after`, oldest first), as plain
 * objects; null when these fields cannot be read without the ORM's type conversions.
 */
export async function leanRows<T>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>,
  fields: readonly string[],
  limit: number,
  after: [Date, string] | null,
  /** Count every row matching `where` in the same statement (a window count: a first page only). */
  count = false,
): Promise<{ rows: T[]; total?: number } | null> {
  const meta = em.getMetadata().find(entity as never) as EntityMetadata | undefined;
  const columns = meta && plan(meta, em.getPlatform(), fields);
  if (!columns) return null;
  const qb = (em as unknown as SqlEntityManager).createQueryBuilder(entity as never).select(fields as never).where(where as never);
  if (after) {
    const [createdAt, id] = after;
    qb.andWhere({ $or: [{ createdAt: { $gt: createdAt } }, { createdAt, id: { $gt: id } }] } as never);
  }
  if (count) qb.addSelect(raw('count(*) over () as "__total"') as never);
  qb.orderBy({ createdAt: 'asc', id: 'asc' } as never).limit(limit);
  const rows = (await qb.execute('all', false)) as Record<string, unknown>[];
  // No row on this page: the window saw none either, so the total is 0.
  const total = count ? (rows.length ? Number(rows[0].__total) : 0) : undefined;
  return { total, rows: rows.map((row) => {
    const item: Record<string, unknown> = {};
    for (const c of columns) {
      item[c.prop] = c.convert(row[c.column]);
    }
    return item as T;
  }) };
}

/** One row by id as a plain object (see leanRows), or null when absent or not readable plainly. */
export async function leanRow<T>(em: EntityManager, entity: EntityName<T>, id: string, fields: readonly string[]): Promise<T | null> {
  const found = await leanRows(em, entity, { id } as FilterQuery<T>, fields, 1, null);
  return found?.rows[0] ?? null;
}
