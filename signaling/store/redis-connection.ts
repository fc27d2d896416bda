/**
 * The two Redis connections of one instance and their health. Commands never
 * wait in a queue for a connection that is down: they fail at once and the
 * service answers 503, while ioredis keeps reconnecting in the background.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { StoreUnavailableError } from './store.js';

/** A single Redis or a Redis Cluster: the store sends both the same commands. */
export type RedisClient = Redis | Cluster;

/** How long requests made right after start wait for the first connection. */
const startupGraceMs = 2000;
/** A command Redis has not answered by then fails (a hung or partitioned server). */
const commandTimeoutMs = 2000;
/** Reconnect backoff: quick, capped low so recovery is noticed within half a second. */
const retryStrategy = (times: number): number => Math.min(times * 50, 500);

export class RedisConnections {
  readonly command: RedisClient;
  readonly subscriber: RedisClient;
  private subscribed = false;
  private everUp = false;
  private lastError = 'not connected yet';
  private readonly upListeners = new Set<() => void>();

  /**
   * @param onResubscribed called when the subscription is back after a loss,
   *   since messages published meanwhile were missed.
   */
  constructor(
    url: string,
    channel: string,
    private readonly onMessage: (message: string) => void,
    onResubscribed: () => void,
  ) {
    // `satisfies`, not a type annotation: ioredis' RedisOptions declares fields its own
    // constructor refuses under exactOptionalPropertyTypes (replyMapping).
    const common = { connectTimeout: 2000, lazyConnect: false } satisfies RedisOptions;
    const command = {
      ...common,
      maxRetriesPerRequest: 0,
      // A script whose reply was lost may have run; resending a send would store it twice.
      autoResendUnfulfilledCommands: false,
      commandTimeout: commandTimeoutMs,
    } satisfies RedisOptions;
    const seed = clusterSeed(url);
    if (seed === undefined) {
      this.command = new Redis(url, {
        ...command,
        retryStrategy,
        enableOfflineQueue: false,
        // Auto-pipelining defers every command by a setImmediate: measured here it
        // doubled a script's round trip (230 -> 490 µs) for no CPU saved.
        enableAutoPipelining: false,
      });
      this.subscriber = new Redis(url, {
        ...common,
        retryStrategy,
        autoResubscribe: false,
        maxRetriesPerRequest: null,
      });
    } else {
      // Classic pub/sub is broadcast to every node of a cluster, so one subscription anywhere hears every wake-up.
      // (replyMapping left out, as above: the Cluster constructor refuses RedisOptions' own type of it.)
      const cluster = (redisOptions: RedisOptions & { replyMapping?: never }, offline: boolean): Cluster =>
        new Cluster([seed], {
          redisOptions,
          clusterRetryStrategy: retryStrategy,
          enableOfflineQueue: offline,
          enableAutoPipelining: false,
        });
      this.command = cluster(command, false);
      this.subscriber = cluster({ ...common, autoResubscribe: false, maxRetriesPerRequest: null }, true);
    }
    for (const connection of [this.command, this.subscriber]) {
      connection.on('error', (error: Error) => {
        this.lastError = error.message;
      });
      connection.on('ready', () => {
        this.noticeUp();
      });
    }
    this.subscriber.on('close', () => {
      this.subscribed = false;
    });
    this.subscriber.on('message', (_channel: string, message: string) => {
      this.onMessage(message);
    });
    this.subscriber.on('ready', () => {
      this.subscriber.subscribe(channel).then(
        () => {
          const again = this.everUp;
          this.subscribed = true;
          this.noticeUp();
          if (again) onResubscribed();
        },
        (error: unknown) => {
          this.lastError = error instanceof Error ? error.message : String(error);
        },
      );
    });
  }

  /** Both connections ready and this instance's channel subscribed. */
  up(): boolean {
    return this.command.status === 'ready' && this.subscriber.status === 'ready' && this.subscribed;
  }

  /** Up, and Redis answers a PING within `ms`. */
  async answersPing(ms: number): Promise<boolean> {
    if (!this.up()) return false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(resolve, ms, false);
    });
    const answered = this.command.ping().then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([answered, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves when up; throws StoreUnavailableError when down (after a grace at start). */
  async whenUp(): Promise<void> {
    if (this.up()) return;
    if (this.everUp) throw this.unavailable();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.upListeners.delete(done);
        reject(this.unavailable());
      }, startupGraceMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.upListeners.add(done);
    });
  }

  /** Maps a failed command to the store's error: Redis down or busy is 503; a bug is not. */
  failure(error: unknown): Error {
    if (error instanceof Error && error.name === 'ReplyError' && /^(ERR|WRONGTYPE|NOSCRIPT) /.test(error.message))
      return error;
    if (error instanceof TypeError) return error;
    const detail = error instanceof Error ? error.message : String(error);
    this.lastError = detail;
    return new StoreUnavailableError(`Redis is unavailable: ${detail}`, { cause: error });
  }

  unavailable(): StoreUnavailableError {
    return new StoreUnavailableError(`Redis is unavailable: ${this.lastError}`);
  }

  async close(): Promise<void> {
    this.command.disconnect();
    this.subscriber.disconnect();
  }

  private noticeUp(): void {
    if (!this.up()) return;
    this.everUp = true;
    for (const listener of [...this.upListeners]) listener();
    this.upListeners.clear();
  }
}

/**
 * `redis://host:port/0?cluster=true` names a Redis Cluster by one of its
 * nodes (the database must be 0); anything else is a single Redis.
 */
export function clusterSeed(url: string): { host: string; port: number } | undefined {
  const parsed = new URL(url);
  if (!['1', 'true', 'yes'].includes(parsed.searchParams.get('cluster') ?? '')) return undefined;
  return { host: parsed.hostname, port: Number(parsed.port === '' ? 6379 : parsed.port) };
}
