/**
 * The one error for bad input, in the engine and every layer above it: it carries the path of the
 * offending field (`input.dataset.dir`, `config.cycles[2].steps`, `widths[1]`) and what is wrong
 * with it. A layer that passed the value under another name re-roots the path with `within` or
 * `at`, never by cutting message strings; the API maps every FieldError to a coded error naming
 * the field (src/api/errors.ts).
 */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(field ? `${field}: ${detail}` : detail);
    this.name = new.target.name;
  }

  /** The same error with its field inside `prefix`; `replacing` is a leading segment to drop first. */
  within(prefix: string, replacing?: string): this {
    let field = this.field;
    if (replacing !== undefined && (field === replacing || field.startsWith(`${replacing}.`) || field.startsWith(`${replacing}[`))) {
      field = field.slice(replacing.length).replace(/^\./, '');
    }
    return this.at(joinPath(prefix, field));
  }

  /** The same error about another field (the caller's name for the whole value). */
  at(field: string): this {
    const copy = Object.create(Object.getPrototypeOf(this)) as this;
    Object.assign(copy, this, { field });
    Object.defineProperty(copy, 'message', { value: field ? `${field}: ${this.detail}` : this.detail, writable: true, configurable: true });
    Object.defineProperty(copy, 'stack', { value: this.stack, writable: true, configurable: true });
    return copy;
  }
}

/** `input` + `dataset.dir` -> `input.dataset.dir`; `widths` + `[1]` -> `widths[1]`. */
export function joinPath(prefix: string, field: string): string {
  if (!prefix) return field;
  if (!field) return prefix;
  return field.startsWith('[') ? `${prefix}${field}` : `${prefix}.${field}`;
}

/** Bad input to the engine (endpoints, configs, options, specs). */
export class InvalidInputError extends FieldError {}
