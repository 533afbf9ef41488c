import { type RequestPool, SlotFifo } from '../requests.js';
import type { ResponseQueue } from './resp-queue.js';

/** Fifo: responses leave in the order their column commands were issued (the scheduler's order). */
export class FifoResponseQueue implements ResponseQueue {
  private readonly fifo: SlotFifo;

  constructor(private readonly pool: RequestPool) {
    this.fifo = new SlotFifo(pool);
  }

  push(slot: number): void {
    this.fifo.push(slot);
  }

  peek(t: number): number {
    const h = this.fifo.head;
    return h >= 0 && this.pool.readyAt[h] <= t ? h : -1;
  }

  pop(): void {
    this.fifo.shift();
  }

  nextTime(): number {
    const h = this.fifo.head;
    return h >= 0 ? this.pool.readyAt[h] : Infinity;
  }
}
