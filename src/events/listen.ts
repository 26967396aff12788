// Events of one or more topics as one async iterator, in the order the event target delivers
// them. Listeners are attached by the call itself (not lazily at the first `next()`, as
// createPubSub's iterators do), so a subscription can start listening, then read the stored
// state, and miss no change that falls in between.

export interface TopicEvent {
  topic: string;
  detail: unknown;
}

type Listener = (event: Event) => void;

/**
 * The listeners of each topic, attached to the event target once per topic. EventTarget's own
 * add and remove walk every listener of a type (to refuse duplicates), so 2,000 subscribers of
 * one run cost 2,000² steps to attach and again to detach; a Set costs one each.
 */
const hubs = new WeakMap<EventTarget, Map<string, { listeners: Set<Listener>; dispatch: Listener }>>();

function attach(target: EventTarget, topic: string, listener: Listener): void {
  let topics = hubs.get(target);
  if (!topics) hubs.set(target, (topics = new Map()));
  let hub = topics.get(topic);
  if (!hub) {
    const listeners = new Set<Listener>();
    // A listener that ends (or starts) during a dispatch does not change who gets this event.
    hub = { listeners, dispatch: (event) => [...listeners].forEach((l) => l(event)) };
    topics.set(topic, hub);
    target.addEventListener(topic, hub.dispatch);
  }
  hub.listeners.add(listener);
}

function detach(target: EventTarget, topic: string, listener: Listener): void {
  const topics = hubs.get(target);
  const hub = topics?.get(topic);
  if (!hub) return;
  hub.listeners.delete(listener);
  if (hub.listeners.size === 0) {
    topics!.delete(topic);
    target.removeEventListener(topic, hub.dispatch);
  }
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
  for (const topic of topics) attach(target, topic, onEvent);
  const end = (): Promise<IteratorResult<TopicEvent>> => {
    if (!ended) {
      ended = true;
      for (const topic of topics) detach(target, topic, onEvent);
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
