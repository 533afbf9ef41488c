import type { McConfig } from '../../mcconfig.js';
import type { RequestPool } from '../requests.js';
import type { Arbiter } from './arbiter.js';
import { FifoArbiter } from './fifo.js';
import { ReorderArbiter } from './reorder.js';
import { SimpleArbiter } from './simple.js';

export type { Arbiter };

export const ARBITERS: Record<McConfig['Arbiter'], (pool: RequestPool, cfg: McConfig) => Arbiter> = {
  Simple: (pool) => new SimpleArbiter(pool),
  Fifo: (pool, cfg) => new FifoArbiter(pool, cfg.MaxActiveTransactions),
  Reorder: (pool, cfg) => new ReorderArbiter(pool, cfg.MaxActiveTransactions),
};
