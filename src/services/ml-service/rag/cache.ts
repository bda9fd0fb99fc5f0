import { createClient } from '@redis/client';

/** The cache in front of search: string values under string keys, each with a time to live. */
export interface SearchCache {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  close(): Promise<void>;
}

/** An in-process cache with expiry, bounded: the oldest entry goes first when full. */
export class MemoryCache implements SearchCache {
  readonly kind = 'memory';
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string): Promise<string | null> {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return null;
    }
    return entry.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}

const newClient = (url: string) =>
  createClient({
    url,
    // Fail fast while Redis is away (search then goes to the index), and give up reconnecting after a few tries.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2000,
      reconnectStrategy: (retries: number) => (retries > 3 ? new Error('redis unreachable') : 100 * 2 ** retries),
    },
  });
type Redis = ReturnType<typeof newClient>;

/** Redis as the cache; connects on first use so a service starts even while Redis is still coming up. */
export class RedisCache implements SearchCache {
  readonly kind = 'redis';
  private client?: Promise<Redis>;

  constructor(
    private readonly url: string,
    private readonly prefix = 'rag:search:',
  ) {}

  private connected(): Promise<Redis> {
    if (!this.client) {
      const client = newClient(this.url);
      // Errors surface on the command that meets them; the listener keeps them from crashing the process.
      client.on('error', () => undefined);
      const connecting = client.connect().catch((err) => {
        this.client = undefined;
        // No reconnect loop behind a failed connect: the next lookup starts afresh.
        if (client.isOpen) client.destroy();
        throw err;
      });
      this.client = connecting;
      return connecting;
    }
    return this.client;
  }

  /** Runs a command; a client that gave up reconnecting is dropped so the next command connects afresh. */
  private async command<T>(fn: (client: Redis) => Promise<T>): Promise<T> {
    const client = await this.connected();
    try {
      return await fn(client);
    } catch (err) {
      if (!client.isOpen && this.client) this.client = undefined;
      throw err;
    }
  }

  async get(key: string): Promise<string | null> {
    const value = await this.command((c) => c.get(this.prefix + key));
    return typeof value === 'string' ? value : null;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.command((c) => c.set(this.prefix + key, value, { expiration: { type: 'EX', value: ttlSeconds } }));
  }

  async close(): Promise<void> {
    const connecting = this.client;
    this.client = undefined;
    if (!connecting) return;
    const client = await connecting.catch(() => undefined);
    if (client?.isOpen) await client.close();
  }
}

export function createSearchCache(redisUrl: string | undefined): SearchCache {
  return redisUrl ? new RedisCache(redisUrl) : new MemoryCache();
}
