// Parsed and validated documents by their text, for graphql-ws operations (Apollo keeps its own
// document store for HTTP): a subscriber that sends a known document skips parsing and the
// validation rules (graphql's own, depth and cost), each of which walks the whole document.
// Validation depends only on the document and the schema, so the outcome is shared safely.
import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';

export type Checked = { document: DocumentNode; errors: readonly GraphQLError[] } | { parseError: GraphQLError };

/** Documents kept, and the longest document text kept (a hostile client cannot fill memory). */
const MAX_DOCUMENTS = 1000;
const MAX_CACHED_CHARS = 20_000;

export class DocumentCache {
  private readonly entries = new Map<string, Checked>();
  private readonly rules: ValidationRule[];

  constructor(
    private readonly schema: GraphQLSchema,
    rules: ValidationRule[],
    private readonly maxTokens: number,
  ) {
    this.rules = [...specifiedRules, ...rules];
  }

  check(query: string): Checked {
    const known = this.entries.get(query);
    if (known) return known;
    let checked: Checked;
    try {
      const document = parse(query, { maxTokens: this.maxTokens });
      checked = { document, errors: validate(this.schema, document, this.rules) };
    } catch (err) {
      checked = { parseError: err instanceof GraphQLError ? err : new GraphQLError('Syntax Error: document could not be parsed') };
    }
    if (query.length <= MAX_CACHED_CHARS) {
      if (this.entries.size >= MAX_DOCUMENTS) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(query, checked);
    }
    return checked;
  }
}
