// Domain errors of the store. They know nothing of GraphQL; the API maps them to error codes
// (InputError -> BAD_USER_INPUT, NotFoundError -> NOT_FOUND). Messages start with the field.

export class InputError extends Error {
  constructor(
    /** Path of the offending field, e.g. `input.architecture.widths[1]`. */
    readonly field: string,
    problem: string,
    /** Facts a client can act on without parsing the message (sent as GraphQL extensions). */
    readonly details?: Record<string, unknown>,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'InputError';
  }
}

export class NotFoundError extends Error {
  constructor(
    readonly entity: string,
    readonly id: string,
    readonly field: string = 'id',
  ) {
    super(`${field}: no ${entity} with id ${JSON.stringify(id)}`);
    this.name = 'NotFoundError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot name a stored record (and must not reach a uuid column). */
export function isId(value: string): boolean {
  return UUID.test(value);
}
