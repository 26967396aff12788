// Fan-out of one published event to many subscribers. graphql-js runs a subscription's selection
// once per subscriber and event; with 2,000 subscribers to one run that is 2,000 identical
// executions of every event. An event reaches every subscriber of its topic as the same payload
// object (one NOTIFY, parsed once), so the result of executing one document with one set of
// variables on it is computed once and handed to each of them.
//
// Each subscriber keeps its own source stream (graphql's createSourceEventStream): its topic,
// filter, events made for it alone (such as a first event with the current state) and its
// completion stay its own; only executions on a shared payload are shared. Authorization is
// decided per subscriber before it subscribes, and the result holds nothing caller-specific.
import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';

type Result = ExecutionResult | Promise<ExecutionResult>;

/** Per payload object: the result per (document, operation, variables). Dropped with the payload. */
const executions = new WeakMap<object, Map<string, Result>>();
const documentIds = new WeakMap<DocumentNode, number>();
let nextDocumentId = 0;

function operationKey(args: ExecutionArgs): string {
  let id = documentIds.get(args.document);
  if (id === undefined) documentIds.set(args.document, (id = nextDocumentId++));
  return `${id}\u0000${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}`;
}

/** Executes the operation on one event, sharing the result with every equal operation on the same payload. */
export function executeShared(args: ExecutionArgs, payload: unknown, key = operationKey(args)): Result {
  if (payload === null || typeof payload !== 'object') return execute({ ...args, rootValue: payload });
  let byOperation = executions.get(payload);
  if (!byOperation) executions.set(payload, (byOperation = new Map()));
  let result = byOperation.get(key);
  if (!result) {
    result = execute({ ...args, rootValue: payload });
    byOperation.set(key, result);
  }
  return result;
}

/** graphql's `subscribe`, with executions shared across subscribers (graphql-ws `subscribe` option). */
export async function subscribeShared(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in stream)) return stream; // errors before any event
  const key = operationKey(args);
  const source = stream[Symbol.asyncIterator]();
  const done = (): Promise<IteratorResult<ExecutionResult>> => Promise.resolve({ value: undefined, done: true });
  // A plain iterator rather than an async generator: return() must reach the source at once,
  // even while next() waits for an event (a generator would queue it behind that wait).
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    next: async () => {
      const item = await source.next();
      return item.done ? { value: undefined, done: true } : { value: await executeShared(args, item.value, key), done: false };
    },
    return: () => (source.return ? source.return().then(done) : done()),
    throw: (err: unknown) => (source.throw ? source.throw(err).then(done) : Promise.reject(err)),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
