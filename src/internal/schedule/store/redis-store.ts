import { Subject, type Observable } from 'rxjs';
import * as check from '../../validate.js';
import { ConfigError } from '../../../errors.js';
import type {
  LimiterStore,
  LimiterStoreWarning,
  Observation,
  StoreCall,
  StoreDecision,
} from './limiter-store.js';
import { LIMITER_SCRIPT, LIMITER_SCRIPT_SHA } from './limiter-script.js';
import { MemoryStore } from './memory-store.js';

export type { LimiterStoreWarning } from './limiter-store.js';

/**
 * What the Redis store needs of a client: node-redis's `sendCommand` (a `createClient()` from
 * `redis` qualifies, as does anything that sends one raw command and resolves with its reply).
 *
 * @example
 * ```ts
 * import { createClient as createRedis } from 'redis';
 * const redis: RedisCommandSender = await createRedis({ url: 'redis://127.0.0.1:6379' }).connect();
 * ```
 */
export interface RedisCommandSender {
  sendCommand(args: string[]): Promise<unknown>;
}

/**
 * Options of {@link redisStore}. Give `url` or `client`.
 *
 * @example
 * ```ts
 * const options: RedisStoreOptions = { url: process.env.OPENAI_RATE_LIMIT_REDIS_URL, timeout: 100 };
 * ```
 */
export interface RedisStoreOptions {
  /**
   * A Redis URL (`redis://[[user]:password@]host[:port][/db]`, `rediss://` for TLS). The store
   * opens its own connection, and closes it when the client that uses it closes.
   */
  url?: string | undefined;
  /** Or a connected node-redis client of yours; the store never closes it. */
  client?: RedisCommandSender | undefined;
  /**
   * The prefix of the store's keys; each bucket is `<key>:<organization>:<sha256 of the client's
   * admin key>` (of its project key when it has no admin key).
   * @default 'rx-checkpoint-permissions'
   */
  key?: string | undefined;
  /**
   * How long one decision may take before Redis counts as unavailable, ms.
   * @default 250 (a loopback or LAN Redis answers in about a millisecond; the margin is for a busy
   * machine, where 50 ms made processes fall back now and then: see docs/performance.md)
   */
  timeout?: number | undefined;
  /**
   * While Redis is unavailable: `'local'` paces each process on its own (fails open: requests go
   * on, the processes are no longer counted together); `'wait'` holds requests until Redis is back
   * (fails closed: never more than the shared budget).
   * @default 'local'
   */
  onUnavailable?: 'local' | 'wait' | undefined;
  /**
   * How often Redis is tried again while it is unavailable, ms.
   * @default 1_000
   */
  retryInterval?: number | undefined;
  /**
   * How long a bucket nobody uses stays in Redis, ms: an idle budget vanishes by itself.
   * @default 600_000
   */
  ttl?: number | undefined;
  /**
   * Called once when Redis becomes unavailable and once when it is back. (Every client that
   * uses the store also publishes these on its `events$`, as `{ type: 'limiter-store', warning }`.)
   * @default process.emitWarning
   */
  onWarning?: ((warning: LimiterStoreWarning) => void) | undefined;
}

/**
 * Counters of a Redis store, for benchmarks and health checks.
 *
 * @example
 * ```ts
 * const redis = redisStore({ url: 'redis://127.0.0.1:6379' });
 * const { decisions, roundTrips } = redis.stats();
 * console.info(`${(roundTrips / decisions).toFixed(2)} Redis round trips per decision`);
 * ```
 */
export interface RedisStoreStats {
  /** Decisions asked of the store. */
  readonly decisions: number;
  /** Commands sent to Redis (a `NOSCRIPT` costs one more). */
  readonly roundTrips: number;
  /** Decisions answered by the local fallback while Redis was unavailable. */
  readonly local: number;
  /** Whether Redis answered the last decision sent to it. */
  readonly available: boolean;
}

/**
 * A {@link LimiterStore} in Redis, with counters.
 *
 * @example
 * ```ts
 * const store: RedisStore = redisStore({ url: 'redis://127.0.0.1:6379' });
 * if (!store.stats().available) console.warn('pacing locally');
 * ```
 */
export interface RedisStore extends LimiterStore {
  stats(): RedisStoreStats;
  /** Each warning `onWarning` gets, for the clients that use the store; completes on close. */
  readonly warnings$: Observable<LimiterStoreWarning>;
  close(): Promise<void>;
}

/**
 * A limiter store in Redis: every process whose client has one on the same Redis, organization
 * and key shares one token bucket, one 429 pause and one learned rate, so that together they
 * keep to the key's budget. Each decision is one atomic Lua script (`EVALSHA`, falling back to
 * `EVAL` on `NOSCRIPT`) timed by Redis `TIME`: one round trip per request.
 *
 * When Redis does not answer within `timeout`, the store warns once and, by default, answers from
 * a local bucket that has learned alongside (requests never fail or hang because of Redis), then
 * warns again when Redis is back and returns to it.
 *
 * @example
 * ```ts
 * await using client = createClient({
 *   rateLimit: { store: redisStore({ url: 'redis://127.0.0.1:6379', onWarning: (w) => console.warn(w.message) }) },
 * });
 * ```
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  return createRedisStore(options);
}

/**
 * {@link redisStore} with test-only knobs: `callerClock` sends the limiter's clock to the script
 * instead of Redis `TIME` (for the differential spec, whose clock is virtual).
 *
 * @internal
 */
export function createRedisStore(
  options: RedisStoreOptions,
  internals: { readonly callerClock?: boolean } = {},
): RedisStore {
  const o = check.optionsObject('redisStore', options);
  check.knownKeys('redisStore', o, OPTION_KEYS);
  if ((o.url === undefined) === (o.client === undefined))
    throw new ConfigError(
      'redisStore',
      'redisStore needs exactly one of url (a redis:// URL) or client (a connected node-redis client)',
    );
  const settings: Settings = {
    url: o.url === undefined ? undefined : checkURL(o.url),
    client: o.client === undefined ? undefined : checkSender(o.client),
    key: o.key === undefined ? DEFAULT_KEY : check.nonEmptyString('redisStore.key', o.key),
    timeout:
      o.timeout === undefined
        ? 250
        : check.milliseconds('redisStore.timeout', o.timeout, { positive: true }),
    onUnavailable:
      o.onUnavailable === undefined
        ? 'local'
        : check.oneOf('redisStore.onUnavailable', o.onUnavailable, ['local', 'wait'] as const),
    retryInterval:
      o.retryInterval === undefined
        ? 1_000
        : check.milliseconds('redisStore.retryInterval', o.retryInterval, { positive: true }),
    ttl: o.ttl === undefined ? 600_000 : check.positiveInteger('redisStore.ttl', o.ttl),
    onWarning:
      o.onWarning === undefined
        ? emitProcessWarning
        : check.callable<(warning: LimiterStoreWarning) => void>(
            'redisStore.onWarning',
            o.onWarning,
          ),
    callerClock: internals.callerClock ?? false,
  };
  return new DefaultRedisStore(settings);
}

const DEFAULT_KEY = 'rx-checkpoint-permissions';
const OPTION_KEYS = [
  'url',
  'client',
  'key',
  'timeout',
  'onUnavailable',
  'retryInterval',
  'ttl',
  'onWarning',
] as const;

interface Settings {
  readonly url: URL | undefined;
  readonly client: RedisCommandSender | undefined;
  readonly key: string;
  readonly timeout: number;
  readonly onUnavailable: 'local' | 'wait';
  readonly retryInterval: number;
  readonly ttl: number;
  readonly onWarning: (warning: LimiterStoreWarning) => void;
  readonly callerClock: boolean;
}

/** A client the store opened itself, and so must close. */
interface OwnedClient extends RedisCommandSender {
  readonly isReady: boolean;
  /** Settles when the first connection is made. */
  readonly connected: Promise<void>;
  /** The last connection error, for messages. */
  readonly lastError: string | undefined;
  close(): Promise<void>;
}

/** How long the first decision waits for the store's own connection to open, ms. */
const CONNECT_GRACE_MS = 1_000;

class DefaultRedisStore implements RedisStore {
  readonly #settings: Settings;
  readonly #warnings = new Subject<LimiterStoreWarning>();
  readonly warnings$ = this.#warnings.asObservable();
  /** Learns everything Redis learns, so that a fallback starts from the pace already known. */
  readonly #local = new MemoryStore();
  readonly #where: string;
  /** The store's own connection (from `url`): opening from creation on, so the first request finds it ready. */
  readonly #connecting: Promise<OwnedClient | Error> | undefined;
  #owned: OwnedClient | Error | undefined;
  #waitedForConnection = false;
  /** While Redis is unavailable: when to try it again (`performance.now()`). */
  #down: { retryAt: number } | undefined;
  #probing = false;
  #closed = false;
  #decisions = 0;
  #roundTrips = 0;
  #localDecisions = 0;
  /** Tokens the local bucket has handed out: its last sequence number. */
  #localSent = 0;

  constructor(settings: Settings) {
    this.#settings = settings;
    this.#where = settings.url ? `Redis at ${safeURL(settings.url)}` : 'Redis';
    this.#connecting = settings.url
      ? connect(settings.url, settings.retryInterval).then(
          (client) => (this.#owned = client),
          (error: unknown) =>
            (this.#owned = error instanceof Error ? error : new Error(String(error))),
        )
      : undefined;
  }

  stats(): RedisStoreStats {
    return {
      decisions: this.#decisions,
      roundTrips: this.#roundTrips,
      local: this.#localDecisions,
      available: this.#down === undefined,
    };
  }

  decide(scope: string, call: StoreCall, now: number): StoreDecision | Promise<StoreDecision> {
    this.#decisions++;
    // The local bucket learns from every response but takes only while it stands in.
    if (call.observations.length > 0) {
      const observations = call.observations.map(forLocal);
      this.#local.decide(
        scope,
        { ...call, observations, take: false, retryBudget: undefined },
        now,
      );
    }
    if (this.#down && (this.#probing || performance.now() < this.#down.retryAt))
      return this.#fallback(scope, call, now);
    return this.#shared(scope, call, now);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#warnings.complete();
    const owned = await this.#connecting;
    if (owned && !(owned instanceof Error)) await owned.close().catch(() => undefined);
  }

  async #shared(scope: string, call: StoreCall, now: number): Promise<StoreDecision> {
    const probing = this.#down !== undefined;
    this.#probing = probing;
    try {
      const client = await this.#client();
      const reply = await this.#withTimeout(
        this.#run(client, scope, call, now),
        this.#settings.timeout,
      );
      if (this.#down) {
        this.#down = undefined;
        this.#warn({
          type: 'restored',
          message: `${this.#where} answers again: the shared rate budget is back in force`,
        });
      }
      return parseReply(reply);
    } catch (error) {
      const cause = error instanceof Error ? error : new Error(String(error));
      // A decision still on its way when the client closed: nothing to warn about.
      if (this.#closed) return this.#fallback(scope, call, now);
      if (!this.#down) {
        const fallback =
          this.#settings.onUnavailable === 'local'
            ? 'this process now paces on its own (other processes on the key are no longer counted) until it is back'
            : 'requests wait until it is back (onUnavailable: "wait")';
        this.#warn({
          type: 'unavailable',
          message: `${this.#where} is unavailable (${cause.message}): ${fallback}; it is tried again every ${this.#settings.retryInterval} ms`,
          cause,
        });
        // The local bucket learned the pace but never spent: it starts with one token, not a burst.
        const drain: Observation = { seq: this.#localSent, pauseMs: 0, remaining: 1 };
        this.#local.decide(
          scope,
          { ...call, observations: [drain], take: false, retryBudget: undefined },
          now,
        );
      }
      this.#down = { retryAt: performance.now() + this.#settings.retryInterval };
      return this.#fallback(scope, call, now);
    } finally {
      if (probing) this.#probing = false;
    }
  }

  /**
   * The answer while Redis is unavailable: the local bucket's, or "wait until the next try".
   * `call`'s observations were already given to the local bucket.
   */
  #fallback(scope: string, call: StoreCall, now: number): StoreDecision {
    this.#localDecisions++;
    // The retry budget is not shared meanwhile: each client's own goes on alone.
    const local = { ...call, observations: [] as Observation[], retryBudget: undefined };
    if (this.#settings.onUnavailable === 'local') {
      const decision = this.#local.decide(scope, local, now);
      if (decision.seq === undefined) return decision;
      this.#localSent = decision.seq;
      return { ...decision, seq: -decision.seq };
    }
    const decision = this.#local.decide(scope, { ...local, take: false }, now);
    const retryIn = Math.max(1, Math.ceil((this.#down?.retryAt ?? 0) - performance.now()));
    return { ...decision, waitMs: call.take ? retryIn : 0 };
  }

  async #run(
    client: RedisCommandSender,
    scope: string,
    call: StoreCall,
    now: number,
  ): Promise<unknown> {
    const args = [
      '1',
      `${this.#settings.key}:${scope}`,
      this.#settings.callerClock ? String(now) : '',
      String(this.#settings.ttl),
      call.fixedRatePerMs === undefined ? '' : String(call.fixedRatePerMs),
      call.take ? (call.reserve ? '2' : '1') : '0',
      String(call.observations.length),
      call.retryBudget ? String(call.retryBudget.capacity) : '',
      call.retryBudget ? String(call.retryBudget.change) : '0',
      ...call.observations.flatMap(observationArgs),
    ];
    this.#roundTrips++;
    try {
      return await client.sendCommand(['EVALSHA', LIMITER_SCRIPT_SHA, ...args]);
    } catch (error) {
      // Redis restarted or flushed its script cache: EVAL sends the script and caches it again.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      this.#roundTrips++;
      return await client.sendCommand(['EVAL', LIMITER_SCRIPT, ...args]);
    }
  }

  async #client(): Promise<RedisCommandSender> {
    if (this.#closed) throw new Error('the store was closed with its client');
    if (this.#settings.client) return this.#settings.client;
    // The first decision waits a little for the connection to open; later ones never do.
    if (!this.#waitedForConnection) {
      this.#waitedForConnection = true;
      const opened = this.#connecting?.then((client) =>
        client instanceof Error ? undefined : client.connected,
      );
      if (opened) await this.#withTimeout(opened, CONNECT_GRACE_MS).catch(() => undefined);
    }
    const client = this.#owned;
    if (client instanceof Error) throw client;
    // Commands to a client that is reconnecting fail at once rather than queue (see `connect`).
    if (!client?.isReady)
      throw new Error(`not connected${client?.lastError ? `: ${client.lastError}` : ''}`);
    return client;
  }

  #withTimeout<T>(work: Promise<T>, timeout: number): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      // Checked after the I/O phase (setImmediate): when this process itself was stalled past the
      // timeout (GC, a busy CPU), an answer that arrived meanwhile is read first and wins.
      timer = setTimeout(
        () => setImmediate(() => reject(new Error(`no answer within ${timeout} ms`))),
        timeout,
      );
    });
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }

  #warn(warning: LimiterStoreWarning): void {
    try {
      this.#settings.onWarning(warning);
    } catch {
      // A throwing hook must not turn a Redis outage into failed requests.
    }
    this.#warnings.next(warning);
  }
}

/**
 * Opens a node-redis client that fails commands at once while disconnected (no offline queue:
 * the limiter would rather pace locally than wait) and reconnects in the background every
 * `retryInterval` ms.
 */
async function connect(url: URL, retryInterval: number): Promise<OwnedClient> {
  const { createClient } = await import('redis');
  const client = createClient({
    url: url.href,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_GRACE_MS,
      reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, retryInterval),
    },
  });
  let lastError: string | undefined;
  // Errors surface as failed decisions (and one warning); unheard, they would crash the process.
  client.on('error', (error: unknown) => {
    lastError = error instanceof Error ? error.message : String(error);
  });
  // On every (re)connection, so that the first decision after a Redis restart is one EVALSHA.
  client.on('ready', () => {
    client.sendCommand(['SCRIPT', 'LOAD', LIMITER_SCRIPT]).catch(() => undefined);
  });
  // The first connection made, or refused: either way the first decision need wait no longer.
  const connected = new Promise<void>((resolve) => {
    client.once('error', () => resolve());
    client.connect().then(
      () => resolve(),
      () => resolve(),
    );
  });
  return {
    get isReady() {
      return client.isReady;
    },
    get lastError() {
      return lastError;
    },
    connected,
    sendCommand: (args) => client.sendCommand(args),
    close: async () => {
      if (client.isOpen) await client.close();
      else client.destroy();
    },
  };
}

/*
 * Sequence numbers count requests in one bucket: Redis's, or the local one while Redis is away
 * (those are negative). A `remaining` header is compared with the count of requests taken after
 * the one it answers, so a number from the other bucket must not be: it would clamp the tokens to
 * nonsense. The local bucket gets `Infinity` (no clamp), Redis an empty field (likewise).
 */
function forLocal(seen: Observation): Observation {
  return { ...seen, seq: seen.seq < 0 ? -seen.seq : Infinity };
}

function observationArgs(seen: Observation): string[] {
  const opt = (value: number | undefined): string => (value === undefined ? '' : String(value));
  return [
    seen.seq < 0 ? '' : String(seen.seq),
    String(seen.pauseMs),
    opt(seen.ratePerMs),
    opt(seen.remaining),
    opt(seen.resetMs),
    seen.cubic ? (seen.cubic.throttled ? '1' : '0') : '',
  ];
}

function parseReply(reply: unknown): StoreDecision {
  if (!Array.isArray(reply) || reply.length !== 6)
    throw new Error(`unexpected reply to the limiter script: ${JSON.stringify(reply)}`);
  const [wait, seq, rate, paused, retryTokens, tokenWait] = (reply as unknown[]).map(String) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    waitMs: Number(wait),
    seq: seq === '' ? undefined : Number(seq),
    ratePerSecond: rate === '' ? undefined : Number(rate),
    pausedForMs: Number(paused),
    retryTokens: retryTokens === '' ? undefined : Number(retryTokens),
    tokenWaitMs: Number(tokenWait),
  };
}

function checkSender(value: unknown): RedisCommandSender {
  if (typeof (value as RedisCommandSender | null)?.sendCommand === 'function')
    return value as RedisCommandSender;
  throw new ConfigError(
    'redisStore.client',
    'redisStore.client must be a connected node-redis client (anything with sendCommand)',
  );
}

function checkURL(value: unknown): URL {
  const text = check.nonEmptyString('redisStore.url', value, true);
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:'))
    throw new ConfigError(
      'redisStore.url',
      'redisStore.url must be a redis:// or rediss:// URL, such as redis://127.0.0.1:6379',
    );
  return url;
}

/** The URL without its credentials, for messages. */
function safeURL(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

function emitProcessWarning(warning: LimiterStoreWarning): void {
  process.emitWarning(warning.message, { code: `RXCP_REDIS_${warning.type.toUpperCase()}` });
}
