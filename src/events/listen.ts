// Events of one or more topics as one async iterator, in the order the event target delivers
// them. Listeners are attached by the call itself (not lazily at the first `next()`, as
// createPubSub's iterators do), so a subscription can start listening, then read the stored
// state, and miss no change that falls in between.

export interface TopicEvent {
  topic: string;
  detail: unknown;
}

export function listen(target: EventTarget, topics: readonly string[]): AsyncIterableIterator<TopicEvent> {
  const buffered: TopicEvent[] = [];
  let waiting: ((result: IteratorResult<TopicEvent>) => void) | undefined;
  let ended = false;
  const onEvent = (event: Event): void => {
    const item = { topic: event.type, detail: (event as CustomEvent).detail };
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve({ value: item, done: false });
    } else buffered.push(item);
  };
  for (const topic of topics) target.addEventListener(topic, onEvent);
  const end = (): Promise<IteratorResult<TopicEvent>> => {
    if (!ended) {
      ended = true;
      for (const topic of topics) target.removeEventListener(topic, onEvent);
      buffered.length = 0;
      waiting?.({ value: undefined, done: true });
      waiting = undefined;
    }
    return Promise.resolve({ value: undefined, done: true });
  };
  return {
    next: () => {
      if (buffered.length > 0) return Promise.resolve({ value: buffered.shift()!, done: false });
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => (waiting = resolve));
    },
    return: end,
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
