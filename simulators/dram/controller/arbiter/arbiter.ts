import type { ResponseQueue } from '../resp-queue/resp-queue.js';

/**
 * The arbiter sits between the trace player and the controller (DRAMSys's Arbiter). On the way in
 * it decides when it takes the player's next request and when it hands it to the controller; on
 * the way back it returns responses to the player (the `ResponseQueue` part, with `readyAt` set to
 * when each response reaches the player).
 */
export interface Arbiter extends ResponseQueue {
  /**
   * Whether it takes the player's waiting request, given `queued` requests it holds that the
   * controller has not taken and `active` requests not yet answered.
   */
  canAccept(queued: number, active: number): boolean;
  /**
   * Whether the player learns that its request was taken from the arbiter at once (Fifo, Reorder)
   * rather than when the controller takes it (Simple): the player sends its next request after that.
   */
  readonly acknowledgesOnAccept: boolean;
  /** Cycles added on the way to the controller (ArbitrationDelayFw: the Simple arbiter only, as in DRAMSys). */
  readonly forwardDelay: number;
  /** Cycles added on the way back to the player (ArbitrationDelayBw: the Simple arbiter only). */
  readonly backwardDelay: number;
  /**
   * Whether channel `channel` may hand over another response at cycle `t`, having handed one over
   * last at `lastResponse` which the player took at `lastTaken`.
   */
  canTakeResponse(channel: number, t: number, lastResponse: number, lastTaken: number): boolean;
  /** Takes a response from the controller at cycle `t`. */
  take(slot: number, t: number): void;
}
