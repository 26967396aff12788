/**
 * Thrown for bad input to the engine (endpoints, configs, options). The message starts with the
 * offending field so a caller (CLI, GraphQL resolver) can show it as is.
 */
export class InvalidInputError extends Error {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'InvalidInputError';
  }
}
