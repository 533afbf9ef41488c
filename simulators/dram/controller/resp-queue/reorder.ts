import { IdWindow, type RequestPool } from '../requests.js';
import type { ResponseQueue } from './resp-queue.js';

/** Reorder: responses leave in request arrival order; a fast later request waits for a slow earlier one. */
export class ReorderResponseQueue implements ResponseQueue {
  private readonly window = new IdWindow();

  constructor(protected readonly pool: RequestPool) {}

  /** The order responses leave in: a controller's own requests' (DRAMSys's channel payload ID). */
  protected order(slot: number): number {
    return this.pool.channelId[slot];
  }

  /** Sets when `slot` may leave. */
  protected readyAtOf(slot: number, t: number): void {
    this.pool.readyAt[slot] = t;
  }

  push(slot: number): void {
    this.window.put(this.order(slot), slot);
  }

  peek(t: number): number {
    const s = this.window.peek();
    return s >= 0 && this.pool.readyAt[s] <= t ? s : -1;
  }

  pop(): void {
    this.window.take();
  }

  nextTime(): number {
    const s = this.window.peek();
    return s >= 0 ? this.pool.readyAt[s] : Infinity;
  }
}
