// Tags and a free-text note on landscapes and runs, as experiment trackers keep them: tags to
// find things by (lists filter on them), a note for people. Changed by updateLandscape and
// updateRun, where an omitted argument keeps the value and null clears it.
import type { EntityManager } from '@mikro-orm/core';
import { Landscape, Run } from '../store/entities';
import { InputError } from '../store/errors';
import { findLandscape } from '../store/landscapes';
import { findRun } from '../store/records';
import { parseLandscapeName } from './bridge/landscape-input';

export const MAX_TAGS = 32;
export const MAX_TAG_LENGTH = 64;
export const MAX_NOTE_LENGTH = 10_000;

/** Letters, digits and `-_.:/=+@` inside; no spaces at either end, no control characters. */
const TAG = /^[\p{L}\p{N}](?:[\p{L}\p{N} \-_.:/=+@]*[\p{L}\p{N}\-_.:/=+@])?$/u;

export function parseTags(tags: readonly string[], field = 'tags'): string[] {
  if (tags.length > MAX_TAGS) throw new InputError(field, `at most ${MAX_TAGS} tags, got ${tags.length}`);
  tags.forEach((tag, i) => {
    if (typeof tag !== 'string' || tag.length === 0 || tag.length > MAX_TAG_LENGTH) {
      throw new InputError(`${field}[${i}]`, `must be 1 to ${MAX_TAG_LENGTH} characters, got ${JSON.stringify(tag)}`);
    }
    if (!TAG.test(tag)) {
      throw new InputError(`${field}[${i}]`, `${JSON.stringify(tag)}: a tag starts with a letter or digit and holds letters, digits, inner spaces and - _ . : / = + @`);
    }
    const first = tags.indexOf(tag);
    if (first !== i) throw new InputError(`${field}[${i}]`, `repeats ${field}[${first}] (${JSON.stringify(tag)})`);
  });
  return [...tags];
}

export function parseNote(note: string | null, field = 'note'): string | null {
  if (note === null || note.trim() === '') return null;
  if (note.length > MAX_NOTE_LENGTH) throw new InputError(field, `must be at most ${MAX_NOTE_LENGTH} characters, got ${note.length}`);
  return note;
}

/** Tags and note of an update: undefined keeps, null clears. */
export interface AnnotationChanges {
  tags?: readonly string[] | null;
  note?: string | null;
}

/** Validates every change before applying any: a refused update changes nothing. */
function annotations(changes: AnnotationChanges): { tags?: string[]; note?: string | null } {
  return {
    ...(changes.tags !== undefined && { tags: changes.tags === null ? [] : parseTags(changes.tags) }),
    ...(changes.note !== undefined && { note: parseNote(changes.note) }),
  };
}

export async function updateLandscape(em: EntityManager, id: string, changes: AnnotationChanges & { name?: string | null }): Promise<Landscape> {
  const landscape = await findLandscape(em, id);
  const name = changes.name === undefined ? undefined : parseLandscapeName(changes.name, 'name');
  Object.assign(landscape, annotations(changes), name === undefined ? {} : { name });
  await em.flush();
  return landscape;
}

export async function updateRun(em: EntityManager, id: string, changes: AnnotationChanges): Promise<Run> {
  const run = await findRun(em, id);
  // Only these columns: the run's status and progress belong to its worker.
  const values = annotations(changes);
  if (Object.keys(values).length > 0) await em.nativeUpdate(Run, { id: run.id }, values);
  await em.refresh(run);
  return run;
}
