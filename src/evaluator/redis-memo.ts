/**
 * The evaluation memo in Redis: the same keys as the in-process memo (workload key + effective
 * config key), so a design simulated once, by any worker or run, is free for every later one.
 */
import type { Redis } from 'ioredis';
import type { SimStats } from '../../simulators/dram/stats.js';
import { decodeOne, encodeOne, memoKey } from '../queue/protocol.js';
import type { Memo } from './evaluator.js';

export interface RedisMemoOptions {
  /** Forget entries after this many seconds (default: keep them). */
  ttlSeconds?: number;
}

export class RedisMemo implements Memo {
  constructor(
    private readonly redis: Redis,
    private readonly options: RedisMemoOptions = {},
  ) {}

  async getMany(keys: readonly string[]): Promise<Array<SimStats | undefined>> {
    if (keys.length === 0) return [];
    const values = await this.redis.mget(keys.map(memoKey));
    return values.map((v) => (v === null ? undefined : decodeOne(v)));
  }

  async setMany(entries: ReadonlyArray<[string, SimStats]>): Promise<void> {
    if (entries.length === 0) return;
    const ttl = this.options.ttlSeconds;
    if (ttl === undefined) {
      await this.redis.mset(entries.flatMap(([k, s]) => [memoKey(k), encodeOne(s)]));
      return;
    }
    const p = this.redis.pipeline();
    for (const [k, s] of entries) p.set(memoKey(k), encodeOne(s), 'EX', ttl);
    await p.exec();
  }
}
