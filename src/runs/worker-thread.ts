// The server's own worker runs in a worker thread, so the thread that answers GraphQL does no
// run work at all: no AutoNEB steps, and none of a step's ORM work (loading the run and its
// pivots, the change sets and SQL of storing a cycle), which measured 12-17 % of the serving
// thread with stretches of up to ~40-100 ms (docs/serving.md). The thread has its own ORM pool
// and pg-boss; it publishes through this thread's event bus (on the embedded database a NOTIFY
// reaches only the connection that sent it, so events must leave from the server's listener),
// and this thread forwards run cancellations to it. The server lowers the thread's priority, so
// that on a machine short of CPU its reads come first (docs/serving.md).
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { TOPIC, type EventBus } from '../events';
import type { Config } from '../config';
import type { QueueOptions } from './queue';
import type { RunCancelPayload } from './events';

export interface WorkerThreadData {
  config: Config;
  /** The database the server opened (and migrated). */
  url: string;
  queue: QueueOptions;
  /** The thread's nice value (0: unchanged). */
  priority: number;
}

/** Thread -> server. */
export type FromWorkerThread =
  | { type: 'started'; id: string }
  | { type: 'failed'; message: string }
  | { type: 'publish'; seq: number; topic: string; args: unknown[] }
  | { type: 'log'; message: string }
  | { type: 'stopped'; error?: string };

/** Server -> thread. */
export type ToWorkerThread = { type: 'published'; seq: number; error?: string } | { type: 'cancel'; runId: string } | { type: 'stop' };

/** Compiled thread entry; it sits beside this file in dist/. */
const ENTRY = join(__dirname, 'worker-thread-entry.js');

export class RunWorkerThread {
  private stopping: Promise<void> | undefined;
  private exited = false;

  private constructor(
    readonly id: string,
    private readonly thread: Worker,
    private readonly exit: Promise<number>,
    private readonly cancels: { return?: () => unknown },
    log: (message: string) => void,
  ) {
    void exit.then((code) => {
      this.exited = true;
      // Its running steps return to the queue when they expire (another worker, or a restart).
      if (!this.stopping) log(`worker thread exited unexpectedly (code ${code}); this server takes no more runs`);
    });
  }

  /** Starts the thread and resolves once its worker takes jobs. */
  static async start(options: { config: Config; url: string; queue: QueueOptions; events: EventBus; log: (message: string) => void; priority?: number }): Promise<RunWorkerThread> {
    const { events, log } = options;
    const thread = new Worker(ENTRY, { workerData: { config: options.config, url: options.url, queue: options.queue, priority: options.priority ?? 0 } satisfies WorkerThreadData });
    const send = (message: ToWorkerThread) => thread.postMessage(message);
    const exit = new Promise<number>((resolve) => thread.once('exit', resolve));
    thread.on('error', (err) => log(`worker thread: ${err.stack ?? err.message}`));
    thread.on('message', (m: FromWorkerThread) => {
      if (m.type === 'log') log(m.message);
      else if (m.type === 'publish') {
        // In the order the thread sent them (one NOTIFY connection keeps that order); answered so
        // that the thread's publish resolves once the database took the event, as in-process.
        (events.publish as (topic: string, ...args: unknown[]) => Promise<void>)(m.topic, ...m.args).then(
          () => send({ type: 'published', seq: m.seq }),
          (err: Error) => send({ type: 'published', seq: m.seq, error: err.message }),
        );
      }
    });
    const cancels = events.pubSub.subscribe(TOPIC.RUN_CANCEL) as AsyncIterableIterator<RunCancelPayload>;
    void (async () => {
      for await (const { runId } of cancels) send({ type: 'cancel', runId });
    })().catch((err: Error) => log(`worker thread cancel forwarding: ${err.message}`));
    try {
      const id = await new Promise<string>((resolve, reject) => {
        const onMessage = (m: FromWorkerThread) => {
          if (m.type === 'started') resolve(m.id);
          else if (m.type === 'failed') reject(new Error(`worker thread failed to start: ${m.message}`));
          else return;
          thread.off('message', onMessage);
        };
        thread.on('message', onMessage);
        void exit.then((code) => reject(new Error(`worker thread exited (code ${code}) before it started`)));
      });
      return new RunWorkerThread(id, thread, exit, cancels, log);
    } catch (err) {
      cancels.return?.();
      await thread.terminate().catch(() => undefined);
      throw err;
    }
  }

  /** Stops taking work (running steps go back to the queue), closes the thread's connections, ends it. */
  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      this.cancels.return?.();
      if (this.exited) return;
      const stopped = new Promise<string | undefined>((resolve, reject) => {
        this.thread.on('message', (m: FromWorkerThread) => m.type === 'stopped' && resolve(m.error));
        void this.exit.then((code) => reject(new Error(`worker thread exited (code ${code}) while stopping`)));
      });
      this.thread.postMessage({ type: 'stop' } satisfies ToWorkerThread);
      const error = await stopped;
      await this.thread.terminate();
      if (error) throw new Error(`worker thread did not stop cleanly: ${error}`);
    })());
  }
}
