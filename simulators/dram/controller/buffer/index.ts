import type { McConfig } from '../../mcconfig.js';
import { BankwiseBuffer } from './bankwise.js';
import type { BufferCounter } from './buffer.js';
import { ReadWriteBuffer } from './read-write.js';
import { SharedBuffer } from './shared.js';

export type { BufferCounter };

export const BUFFERS: Record<McConfig['SchedulerBuffer'], (cfg: McConfig, banks: number) => BufferCounter> = {
  Bankwise: (cfg, banks) => new BankwiseBuffer(banks, cfg.RequestBufferSize),
  ReadWrite: (cfg) =>
    new ReadWriteBuffer(cfg.RequestBufferSizeRead ?? cfg.RequestBufferSize, cfg.RequestBufferSizeWrite ?? cfg.RequestBufferSize),
  Shared: (cfg) => new SharedBuffer(cfg.RequestBufferSize),
};
