// The columns a list query needs: a page of `edges { node { id name } }` reads those columns
// only, not every JSON column of the entity (a landscape's specs, a run's config and result).
// Anything the mapping cannot vouch for (a field resolver computing from several columns, an
// unknown field) falls back to whole rows, so a wrong guess costs speed, never correctness.
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { ReferenceKind, type EntityManager, type EntityName } from '@mikro-orm/core';
import { isId } from '../store/errors';
import { leanRow } from '../store/lean-page';
import type { PageRead } from '../store/pagination';

/** Fields answered from the id alone (download URLs, lists read by their own query). */
const ID_ONLY = new Set(['__typename', 'downloadUrl', 'downloads', 'minima', 'paths', 'runs']);

/** Fields computed by a field resolver from these columns of their entity (see its resolver). */
const COMPUTED: Record<string, Record<string, readonly string[]>> = {
  Path: {
    saddle: ['saddleT', 'saddleTrainLoss', 'saddleTestLoss', 'saddleTrainError', 'saddleTestError'],
    // A COMPLETED path's cycles and pivots come from memory: its status says which.
    cycles: ['status'],
    pivots: ['status'],
  },
};

/** Columns every page reads: the key and the cursor's order. */
const ALWAYS = ['id', 'createdAt'];

/** The fields selected under `path` (e.g. edges, node) of the current field, or null when unclear. */
function selectedUnder(info: GraphQLResolveInfo, path: readonly string[]): Set<string> | null {
  let sets: SelectionSetNode[] = info.fieldNodes.flatMap((f) => (f.selectionSet ? [f.selectionSet] : []));
  for (const name of [...path, null]) {
    const fields: FieldNode[] = [];
    const visit = (set: SelectionSetNode, depth: number): boolean => {
      if (depth > 10) return false;
      for (const s of set.selections) {
        if (s.kind === Kind.FIELD) fields.push(s);
        else if (s.kind === Kind.INLINE_FRAGMENT) {
          if (!visit(s.selectionSet, depth + 1)) return false;
        } else {
          const fragment = info.fragments[s.name.value];
          if (!fragment || !visit(fragment.selectionSet, depth + 1)) return false;
        }
      }
      return true;
    };
    for (const set of sets) if (!visit(set, 0)) return null;
    if (name === null) return new Set(fields.map((f) => f.name.value));
    sets = fields.filter((f) => f.name.value === name).flatMap((f) => (f.selectionSet ? [f.selectionSet] : []));
  }
  return null;
}

/**
 * The entity properties to read for the nodes of a connection (`edges { node { ... } }`), or
 * undefined for whole rows.
 */
export function pageRead(em: EntityManager, entity: { name: string }, info: GraphQLResolveInfo): PageRead {
  return { fields: nodeFields(em, entity, info), count: selectedUnder(info, [])?.has('totalCount') ?? false };
}

function nodeFields(em: EntityManager, entity: { name: string }, info: GraphQLResolveInfo): string[] | undefined {
  return columnsOf(em, entity, selectedUnder(info, ['edges', 'node']));
}

/**
 * The object a single-object query (`landscape(id)`, `path(id)`...) selects, read as a plain row
 * when its selection is plain columns; otherwise (or when no row has this id) `whole()`, the
 * entity as the ORM reads it, which also throws the NOT_FOUND error.
 */
export async function readOne<T extends object>(em: EntityManager, entity: EntityName<T> & { name: string }, id: string, info: GraphQLResolveInfo, whole: () => Promise<T>): Promise<T> {
  const fields = isId(id) ? columnsOf(em, entity, selectedUnder(info, [])) : undefined;
  return (fields && (await leanRow(em, entity, id, fields))) || whole();
}

function columnsOf(em: EntityManager, entity: { name: string }, selected: Set<string> | null): string[] | undefined {
  if (!selected) return undefined;
  const meta = em.getMetadata().find(entity.name);
  if (!meta) return undefined;
  const fields = new Set(ALWAYS);
  const computed = COMPUTED[entity.name] ?? {};
  for (const name of selected) {
    if (ID_ONLY.has(name)) continue;
    if (Object.hasOwn(computed, name)) {
      for (const column of computed[name]) fields.add(column);
      continue;
    }
    const prop = meta.properties[name];
    if (!prop || prop.lazy) return undefined;
    if (prop.kind === ReferenceKind.SCALAR || prop.kind === ReferenceKind.MANY_TO_ONE) fields.add(name);
    else if (prop.kind !== ReferenceKind.ONE_TO_MANY) return undefined;
  }
  return [...fields];
}
