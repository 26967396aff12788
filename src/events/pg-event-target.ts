// An EventTarget whose events travel through PostgreSQL LISTEN/NOTIFY, so that every process
// on the same database (servers, workers) sees them. It plugs into createPubSub of
// @graphql-yoga/subscription as its `eventTarget`.
//
// One dedicated connection both LISTENs and NOTIFYs. On a real server that is an ordinary
// listener; on the embedded PGlite (one backend behind every socket connection) a notification
// comes back only on the connection that sent it, so sending on the listening connection is
// what makes events work there at all.
import { setMaxListeners } from 'node:events';
import { Client } from 'pg';

/** PostgreSQL rejects NOTIFY payloads of 8000 bytes or more. */
export const MAX_PAYLOAD_BYTES = 7999;

export class EventTooLargeError extends Error {
  constructor(topic: string, bytes: number) {
    super(`event ${topic}: payload of ${bytes} bytes exceeds the NOTIFY limit of ${MAX_PAYLOAD_BYTES}; send ids, not data`);
    this.name = 'EventTooLargeError';
  }
}

interface Envelope {
  topic: string;
  detail: unknown;
}

export interface PgEventTargetOptions {
  url: string;
  /** NOTIFY channel shared by all topics (topics are routed locally from the payload). */
  channel?: string;
  log?: (message: string) => void;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5000;

export class PgEventTarget extends EventTarget {
  private readonly url: string;
  private readonly channel: string;
  private readonly log: (message: string) => void;
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private closed = false;
  private retryMs = RECONNECT_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(options: PgEventTargetOptions) {
    super();
    // Every subscription adds a listener for its topic; hundreds on one topic are normal here.
    setMaxListeners(0, this);
    this.url = options.url;
    this.channel = options.channel ?? 'neb_atlas_events';
    this.log = options.log ?? (() => undefined);
  }

  /** Connects and LISTENs; resolves once events can flow. */
  async start(): Promise<void> {
    await this.connection();
  }

  /** Called by PubSub.publish: sends without waiting; failures are logged. */
  override dispatchEvent(event: Event): boolean {
    this.publish(event.type, (event as CustomEvent).detail).catch((err: Error) => this.log(`event ${event.type} lost: ${err.message}`));
    return true;
  }

  /** Sends an event to every listener on the database; resolves once PostgreSQL took it. */
  async publish(topic: string, detail: unknown): Promise<void> {
    const payload = JSON.stringify({ topic, detail } satisfies Envelope);
    const bytes = Buffer.byteLength(payload);
    if (bytes > MAX_PAYLOAD_BYTES) throw new EventTooLargeError(topic, bytes);
    const client = await this.connection();
    await client.query('SELECT pg_notify($1, $2)', [this.channel, payload]);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private connection(): Promise<Client> {
    if (this.closed) return Promise.reject(new Error('event target is closed'));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<Client> {
    const client = new Client({ connectionString: this.url });
    client.on('notification', (message) => {
      if (message.channel === this.channel && message.payload) this.deliver(message.payload);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    await client.connect();
    await client.query(`LISTEN ${client.escapeIdentifier(this.channel)}`);
    if (this.closed) {
      await client.end();
      throw new Error('event target is closed');
    }
    this.client = client;
    this.retryMs = RECONNECT_MIN_MS;
    return client;
  }

  private deliver(payload: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch {
      this.log(`ignored a malformed event payload on ${this.channel}`);
      return;
    }
    super.dispatchEvent(new CustomEvent(envelope.topic, { detail: envelope.detail }));
  }

  /** The connection dropped: events sent meanwhile are missed; reconnect with backoff. */
  private lost(client: Client, err?: Error): void {
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    this.log(`event connection lost${err ? `: ${err.message}` : ''}; reconnecting`);
    const retry = (): void => {
      this.retryTimer = undefined;
      this.connection().catch((e: Error) => {
        this.log(`event reconnect failed: ${e.message}`);
        this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
        if (!this.closed) this.retryTimer = setTimeout(retry, this.retryMs);
      });
    };
    this.retryTimer = setTimeout(retry, this.retryMs);
  }
}
