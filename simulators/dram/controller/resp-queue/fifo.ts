import { type RequestPool, SlotFifo } from '../requests.js';
import type { ResponseQueue } from './resp-queue.js';

/** Fifo: responses leave in the order their column commands were issued (the scheduler's order). */
export class FifoResponseQueue implements ResponseQueue {
  private readonly fifo: SlotFifo;

  constructor(protected readonly pool: RequestPool) {
    this.fifo = new SlotFifo(pool);
  }

  /** Sets when `slot` may leave. */
  protected readyAtOf(slot: number, t: number): void {
    this.pool.readyAt[slot] = t;
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

  /** The oldest slot, ready or not (-1 if empty). */
  protected peekHead(): number {
    return this.fifo.head;
  }

  nextTime(): number {
    const h = this.fifo.head;
    return h >= 0 ? this.pool.readyAt[h] : Infinity;
  }
}
