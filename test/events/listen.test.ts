// listen(): events of topics as async iterators, one EventTarget listener per topic however many
// iterators listen, attached at the call and detached with the last iterator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listen } from '../../src/events/listen';

/** An EventTarget that counts the listeners attached to it per type. */
class CountingTarget extends EventTarget {
  readonly attached = new Map<string, number>();
  override addEventListener(...args: Parameters<EventTarget['addEventListener']>): void {
    this.attached.set(args[0], (this.attached.get(args[0]) ?? 0) + 1);
    super.addEventListener(...args);
  }
  override removeEventListener(...args: Parameters<EventTarget['removeEventListener']>): void {
    this.attached.set(args[0], (this.attached.get(args[0]) ?? 0) - 1);
    super.removeEventListener(...args);
  }
  send(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

async function take(events: AsyncIterableIterator<{ topic: string; detail: unknown }>, n: number): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push((await events.next()).value?.detail);
  return out;
}

test('many iterators of one topic share one target listener and each gets every event in order', async () => {
  const target = new CountingTarget();
  const iterators = Array.from({ length: 500 }, () => listen(target, ['run:1']));
  assert.equal(target.attached.get('run:1'), 1);
  // Events sent before anyone calls next() are buffered per iterator (listening starts at the call).
  for (const n of [1, 2, 3]) target.send('run:1', n);
  target.send('run:2', 'other topic');
  for (const it of iterators) assert.deepEqual(await take(it, 3), [1, 2, 3]);
  // One iterator ending does not end or starve the others.
  await iterators[0].return!();
  assert.deepEqual(await iterators[0].next(), { value: undefined, done: true });
  target.send('run:1', 4);
  assert.deepEqual(await take(iterators[1], 1), [4]);
  for (const it of iterators.slice(1)) await it.return!();
  assert.equal(target.attached.get('run:1'), 0, 'the last iterator detaches the topic from the target');
  // A new iterator after that attaches again and sees only new events.
  const again = listen(target, ['run:1']);
  target.send('run:1', 5);
  assert.deepEqual(await take(again, 1), [5]);
  await again.return!();
});

test('an iterator over two topics receives both in the order they are sent', async () => {
  const target = new CountingTarget();
  const both = listen(target, ['path:1', 'run:1']);
  const one = listen(target, ['run:1']);
  target.send('path:1', 'cycle 1');
  target.send('run:1', 'done');
  const got = [(await both.next()).value, (await both.next()).value];
  assert.deepEqual(got, [{ topic: 'path:1', detail: 'cycle 1' }, { topic: 'run:1', detail: 'done' }]);
  assert.deepEqual(await take(one, 1), ['done']);
  // Ending an iterator while others wait in next() resolves only its own wait.
  const waiting = one.next();
  await both.return!();
  target.send('run:1', 'later');
  assert.deepEqual((await waiting).value, { topic: 'run:1', detail: 'later' });
  await one.return!();
  assert.equal(target.attached.get('path:1'), 0);
  assert.equal(target.attached.get('run:1'), 0);
});
