/**
 * Redis connections for the evaluation queue: parsing `redis://` URLs, creating ioredis clients
 * that wait out outages instead of failing, and telling the user (once per outage) that we wait.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { InputError } from '../../common/errors.js';

/** Where the queue lives, parsed from `redis://[USER:PASSWORD@]HOST[:PORT][/DB]` (or `rediss://` for TLS). */
export interface RedisTarget {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
  /** The URL without its password, for messages. */
  readonly display: string;
}

/** Writes one line for the user (stderr by default). */
export type LineLogger = (line: string) => void;

export const stderrLogger: LineLogger = (line) => {
  process.stderr.write(line + '\n');
};

/** Parses a queue URL; anything else is an InputError naming the flag. */
export function parseRedisUrl(raw: string, flag = '--queue'): RedisTarget {
  const bad = (why: string): InputError => new InputError(`${flag} ${raw}: ${why} (expected redis://HOST:PORT)`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad('not a URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw bad(`unsupported scheme "${url.protocol.replace(/:$/, '')}"`);
  if (!url.hostname) throw bad('no host');
  const port = url.port === '' ? 6379 : Number(url.port);
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,2}$/.test(path)) throw bad(`"/${path}" is not a database number`);
  if (url.search || url.hash) throw bad('query and fragment are not supported');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  const auth = username || password ? `${username ?? ''}${password ? ':***' : ''}@` : '';
  const db = path === '' ? 0 : Number(path);
  const display = `${url.protocol}//${auth}${url.hostname}:${port}${db ? `/${db}` : ''}`;
  return { host, port, db, username, password, tls: url.protocol === 'rediss:', display };
}

/** Short, human words for the errors a dropped or refused connection produces. */
export function describeConnectionError(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ETIMEDOUT':
      return 'timed out';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default: {
      const msg = e instanceof Error ? e.message : String(e);
      return msg.split('\n')[0];
    }
  }
}

/** True for errors that mean "Redis is unreachable right now" rather than "this request is wrong". */
export function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return true;
  const msg = e instanceof Error ? e.message : '';
  return /Connection is closed|connect ECONN|Stream isn't writeable|LOADING|Redis is loading/i.test(msg);
}

/**
 * Tracks whether Redis is reachable across all of a process's connections, so an outage is
 * reported once (not once per connection and retry), and its end once.
 */
export class RedisHealth {
  private down = false;
  private everReady = false;

  constructor(
    private readonly target: RedisTarget,
    private readonly log: LineLogger,
    private readonly prefix = 'marl-dse',
  ) {}

  /** A connection failed or dropped. */
  reportError(e: unknown): void {
    if (this.down) return;
    this.down = true;
    this.log(`${this.prefix}: waiting for Redis at ${this.target.display}: ${describeConnectionError(e)} (retrying)`);
  }

  /** A connection is usable again. */
  reportReady(): void {
    if (this.down && this.everReady) this.log(`${this.prefix}: Redis at ${this.target.display} is back`);
    this.down = false;
    this.everReady = true;
  }

  get isDown(): boolean {
    return this.down;
  }

  /** Feeds a client's events into this tracker. */
  watch(client: Redis): void {
    client.on('error', (e: unknown) => this.reportError(e));
    client.on('ready', () => this.reportReady());
  }
}

/** How long to wait between reconnection attempts: quick at first, then every 2 s. */
function retryDelayMs(attempt: number): number {
  return Math.min(100 * 2 ** Math.min(attempt, 5), 2000);
}

/**
 * An ioredis client whose copies (BullMQ duplicates the client for its blocking connections)
 * report to the same health tracker, and which can always be closed.
 */
class QueueRedis extends Redis {
  constructor(
    options: RedisOptions,
    private readonly health: RedisHealth,
  ) {
    super({ ...options, replyMapping: 'legacy' });
    health.watch(this);
  }

  override duplicate(override?: Partial<RedisOptions>): Redis {
    return new QueueRedis({ ...this.options, ...override }, this.health);
  }

  override disconnect(reconnect = false): void {
    // Between reconnection attempts ioredis has no socket to close, so disconnect() would leave
    // the client 'reconnecting' for ever, with no 'end' event: BullMQ's close() waits for one.
    const between = !reconnect && this.status === 'reconnecting';
    super.disconnect(reconnect);
    if (between && this.status === 'reconnecting') {
      this.status = 'end';
      process.nextTick(() => this.emit('end'));
    }
  }
}

/**
 * An ioredis client that never gives up: commands wait while Redis is away
 * (`maxRetriesPerRequest: null`, which BullMQ requires) and the client reconnects forever.
 */
export function connectRedis(target: RedisTarget, health: RedisHealth, name?: string): Redis {
  const options: RedisOptions = {
    host: target.host,
    port: target.port,
    db: target.db,
    username: target.username,
    password: target.password,
    tls: target.tls ? {} : undefined,
    connectionName: name,
    maxRetriesPerRequest: null,
    retryStrategy: retryDelayMs,
    connectTimeout: 5000,
  };
  return new QueueRedis(options, health);
}

/**
 * Resolves true once the client is connected (its health prints the wait message meanwhile), or
 * false if `signal` aborts first.
 */
export async function untilReady(client: Redis, signal?: AbortSignal): Promise<boolean> {
  if (client.status === 'ready') return true;
  if (signal?.aborted) return false;
  return new Promise<boolean>((resolve, reject) => {
    const done = (): void => {
      client.off('ready', onReady);
      client.off('end', onEnd);
      signal?.removeEventListener('abort', onAbort);
    };
    const onReady = (): void => {
      done();
      resolve(true);
    };
    const onEnd = (): void => {
      done();
      reject(new Error('Redis connection closed'));
    };
    const onAbort = (): void => {
      done();
      resolve(false);
    };
    client.on('ready', onReady);
    client.on('end', onEnd);
    signal?.addEventListener('abort', onAbort);
  });
}

/** Closes a client politely, or at once if Redis is unreachable (QUIT would wait for it). */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  try {
    await Promise.race([client.quit(), new Promise((r) => setTimeout(r, 1000).unref())]);
  } catch {
    // Already closing.
  }
  // After a timed-out QUIT; harmless on a closed client.
  client.disconnect();
}

/**
 * Waits for `p` at most `ms`; true if it settled in time. BullMQ's close() can wait forever on a
 * connection that is between reconnection attempts (ioredis emits no 'end' then), so every
 * close is bounded.
 */
export function settleWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    t.unref();
    const done = (): void => {
      clearTimeout(t);
      resolve(true);
    };
    p.then(done, done);
  });
}
