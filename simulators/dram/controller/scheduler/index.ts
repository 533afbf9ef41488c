import type { McConfig } from '../../mcconfig.js';
import type { BankQueues, RequestPool } from '../requests.js';
import { FifoScheduler } from './fifo.js';
import { FrFcfsGrpScheduler } from './fr-fcfs-grp.js';
import { FrFcfsScheduler } from './fr-fcfs.js';
import type { Scheduler } from './scheduler.js';

export type { Scheduler };

export const SCHEDULERS: Record<McConfig['Scheduler'], new (pool: RequestPool, queues: BankQueues) => Scheduler> = {
  Fifo: FifoScheduler,
  FrFcfs: FrFcfsScheduler,
  FrFcfsGrp: FrFcfsGrpScheduler,
};
