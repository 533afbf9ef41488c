/**
 * The evaluation memo in Redis: the same keys as the in-process memo (workload key + effective
 * config key), so a design simulated once, by any worker or run, is free for every later one.
 */
import type { Redis } from 'ioredis';
import type { SimStats } from '../../simulators/dram/stats.js';
import { decodeOne, encodeStats, memoKey } from '../queue/protocol.js';
import type { Memo } from './evaluator.js';

export class RedisMemo implements Memo {
  constructor(private readonly redis: Redis) {}

  async getMany(keys: readonly string[]): Promise<Array<SimStats | undefined>> {
    if (keys.length === 0) return [];
    const values = await this.redis.mget(keys.map(memoKey));
    return values.map((v) => (v === null ? undefined : decodeOne(v)));
  }

  async setMany(entries: ReadonlyArray<[string, SimStats]>): Promise<void> {
    if (entries.length === 0) return;
    await this.redis.mset(entries.flatMap(([k, s]) => [memoKey(k), encodeStats(s)]));
  }
}
