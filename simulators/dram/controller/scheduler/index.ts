import type { McConfig } from '../../mcconfig.js';
import type { BankQueues, RequestPool } from '../requests.js';
import { FifoScheduler } from './fifo.js';
import { FrFcfsGrpScheduler } from './fr-fcfs-grp.js';
import { FrFcfsScheduler } from './fr-fcfs.js';
import { GrpFrFcfsWmScheduler } from './grp-fr-fcfs-wm.js';
import { GrpFrFcfsScheduler } from './grp-fr-fcfs.js';
import type { Scheduler } from './scheduler.js';

export type { Scheduler };

export const SCHEDULERS: Record<McConfig['Scheduler'], (pool: RequestPool, queues: BankQueues, cfg: McConfig) => Scheduler> = {
  Fifo: (pool, queues) => new FifoScheduler(pool, queues),
  FrFcfs: (pool, queues) => new FrFcfsScheduler(pool, queues),
  FrFcfsGrp: (pool, queues) => new FrFcfsGrpScheduler(pool, queues),
  GrpFrFcfs: (pool, queues) => new GrpFrFcfsScheduler(pool, queues),
  GrpFrFcfsWm: (pool, queues, cfg) => new GrpFrFcfsWmScheduler(pool, queues, cfg.LowWatermark, cfg.HighWatermark),
};
