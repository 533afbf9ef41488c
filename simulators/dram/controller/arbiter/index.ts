import type { McConfig } from '../../mcconfig.js';
import type { RequestPool } from '../requests.js';
import type { Arbiter } from './arbiter.js';
import { FifoArbiter } from './fifo.js';
import { ReorderArbiter } from './reorder.js';
import { SimpleArbiter } from './simple.js';

export type { Arbiter };

/** Each arbiter from the config; `delays` are ArbitrationDelayFw/Bw in controller cycles. */
export const ARBITERS: Record<McConfig['Arbiter'], (pool: RequestPool, cfg: McConfig, channels: number, delays: { fw: number; bw: number }) => Arbiter> = {
  Simple: (pool, _cfg, channels, delays) => new SimpleArbiter(pool, channels, delays.fw, delays.bw),
  Fifo: (pool, cfg) => new FifoArbiter(pool, cfg.MaxActiveTransactions),
  Reorder: (pool, cfg) => new ReorderArbiter(pool, cfg.MaxActiveTransactions),
};
