// Domain errors of the store. They know nothing of GraphQL; the API maps every FieldError to a
// code (src/api/errors.ts): NotFoundError -> NOT_FOUND, the rest -> BAD_USER_INPUT.
import { FieldError } from '../engine/errors';

/** Bad input to a store operation (a seed used twice, a config the landscape cannot take). */
export class InputError extends FieldError {}

export class NotFoundError extends FieldError {
  constructor(
    readonly entity: string,
    readonly id: string,
    field = 'id',
  ) {
    super(field, `no ${entity} with id ${JSON.stringify(id)}`);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot name a stored record (and must not reach a uuid column). */
export function isId(value: string): boolean {
  return UUID.test(value);
}
