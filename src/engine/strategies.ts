/**
 * Strategies chosen by name (NEB methods, optimisers, pivot insertion, pair suggestion, surfaces,
 * models, data sets), as torch_autoneb's config resolves every pluggable kind through one lookup:
 * a frozen table of name -> implementation, and one lookup that answers a bad name with a
 * FieldError listing the valid ones.
 */
import { InvalidInputError } from './errors';

export interface NamedTable<T> {
  /** What the table holds, for messages: `NEB method`, `optimizer`, ... */
  readonly kind: string;
  readonly names: readonly string[];
  has(name: unknown): boolean;
  /** The entry of `name`; an InvalidInputError on `field` listing the known names otherwise. */
  get(name: unknown, field: string): T;
}

export function namedTable<T>(kind: string, entries: Readonly<Record<string, T>>): NamedTable<T> {
  const table: Readonly<Record<string, T>> = Object.freeze({ ...entries });
  const names = Object.freeze(Object.keys(table));
  const has = (name: unknown): boolean => typeof name === 'string' && Object.hasOwn(table, name);
  return {
    kind,
    names,
    has,
    get(name, field) {
      if (!has(name)) throw new InvalidInputError(field, `unknown ${kind} ${JSON.stringify(name)}; known: ${names.join(', ')}`);
      return table[name as string];
    },
  };
}
