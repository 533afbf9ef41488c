/**
 * The response queue holds requests whose data transfer is done until the controller returns them,
 * one per cycle. `readyAt` in the request pool says when each may leave.
 */
export interface ResponseQueue {
  push(slot: number): void;
  /** The slot that may leave at cycle `t`, or -1. */
  peek(t: number): number;
  pop(): void;
  /** The earliest cycle at which `peek` could return a slot (Infinity if none is known). */
  nextTime(): number;
}
