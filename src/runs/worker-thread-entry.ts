// The worker thread's side of worker-thread.ts: a RunWorker with its own ORM pool and job queue
// on the server's database, and an event bus whose events the server's thread publishes.
import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import { getPriority, setPriority } from 'node:os';
import { createPubSub } from '@graphql-yoga/subscription';
import type { MikroORM } from '@mikro-orm/postgresql';
import { initOrm } from '../db/orm';
import { TOPIC, type EventBus, type Topics } from '../events';
import { configureEngine } from './bridge/engine';
import { JobQueue } from './queue';
import { RunWorker } from './worker';
import type { FromWorkerThread, ToWorkerThread, WorkerThreadData } from './worker-thread';

/** Explorations' coordination slots (RunWorker's default), each may hold a connection. */
const COORDINATION_SLOTS = 2;

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('worker-thread-entry must run in a worker thread');
  const { config, url, queue: queueOptions, priority } = workerData as WorkerThreadData;
  const send = (message: FromWorkerThread) => port.postMessage(message);
  const log = (message: string) => send({ type: 'log', message });

  // Publishing waits for the server thread's answer, so events keep their order and a lost one is reported as before.
  const pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  let seq = 0;
  const pubSub = createPubSub<Topics>();
  const events: EventBus = {
    pubSub,
    publish: (topic, ...args) =>
      new Promise<void>((resolve, reject) => {
        pending.set(++seq, { resolve, reject });
        send({ type: 'publish', seq, topic, args });
      }),
    listen: () => {
      throw new Error('the worker thread does not listen to events');
    },
    close: async () => undefined,
  };

  let orm: MikroORM | undefined;
  let queue: JobQueue | undefined;
  let worker: RunWorker | undefined;
  let stopping = false;
  port.on('message', (m: ToWorkerThread) => {
    if (m.type === 'published') {
      const waiter = pending.get(m.seq);
      pending.delete(m.seq);
      if (m.error) waiter?.reject(new Error(m.error));
      else waiter?.resolve();
    } else if (m.type === 'cancel') pubSub.publish(TOPIC.RUN_CANCEL, { runId: m.runId });
    else if (m.type === 'stop' && !stopping) {
      stopping = true;
      void (async () => {
        let error: string | undefined;
        for (const close of [() => worker?.stop(), () => queue?.close(), () => orm?.close(true)]) {
          await Promise.resolve(close()).catch((err: Error) => (error ??= err.message));
        }
        send({ type: 'stopped', error });
      })();
    }
  });

  try {
    // Linux keeps a nice value per thread: this lowers this thread (and the engine threads it
    // starts), not the server's. Elsewhere it may apply to the process, so it is Linux only.
    // Only ever lowered (raising needs privileges): a server started niced stays as it is.
    if (process.platform === 'linux' && priority > getPriority()) setPriority(priority);
    configureEngine(config);
    orm = await initOrm(url, Math.min(config.dbPoolSize, config.workers + COORDINATION_SLOTS + 1));
    queue = await JobQueue.open(queueOptions, log);
    worker = new RunWorker({ orm, queue, events, concurrency: config.workers, coordinationSlots: COORDINATION_SLOTS, log });
    await worker.start();
    send({ type: 'started', id: worker.id });
  } catch (err) {
    await queue?.close().catch(() => undefined);
    await orm?.close(true).catch(() => undefined);
    send({ type: 'failed', message: (err as Error).message });
  }
}

void main();
