import type { ResponseQueue } from '../resp-queue/resp-queue.js';

/**
 * The arbiter sits between the trace player and the controller. On the way in it decides when it
 * takes the player's next request; on the way back it returns responses to the player (the
 * `ResponseQueue` part, with `readyAt` set to when each response reaches the player).
 */
export interface Arbiter extends ResponseQueue {
  /** Whether it takes another request, given `queued` requests not yet in the controller and `active` not yet answered. */
  canAccept(queued: number, active: number): boolean;
}
