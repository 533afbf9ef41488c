/**
 * One dashboard connection and what it has been sent. Delivery is driven by state, not by a queue:
 * for each subscribed run the client has a cursor (evaluations sent, agent reports sent, status
 * sent), and each poll sends it what lies between its cursor and the run's head. A client whose
 * socket buffer is over the high-water mark is sent nothing (it is "stale"); once its buffer drains
 * it gets a `resync` marker and catches up from its cursors, reading the store. So a slow client
 * costs the server at most the high-water mark plus one message, however long it lags, and it
 * still receives every evaluation, in order. One that stays stale too long is closed with a reason.
 */
import type { WebSocket } from 'ws';
import { encode, errorMessage, PROTOCOL_VERSION, type ServerMessage } from './protocol.js';
import { EVALUATIONS_PER_MESSAGE, type StoreTail } from './tail.js';

/** WebSocket close code for a client closed for falling behind (4000-4999: the application's). */
export const CLOSE_TOO_SLOW = 4008;

export interface ClientLimits {
  /** Above this many bytes waiting in the socket, nothing more is sent until it drains to half. */
  readonly maxBufferedBytes: number;
  /** A client stale for this long is closed. */
  readonly slowClientTimeoutMs: number;
}

interface Subscription {
  needsSnapshot: boolean;
  /** Evaluations sent: [0, evaluations). */
  evaluations: number;
  /** The evaluation count of the last agent report sent (-1: none). */
  statsUpTo: number;
  /** The status last sent. */
  status: string | null;
}

/** What the server can report about a connection (tests, diagnostics). */
export interface ClientInfo {
  readonly id: number;
  readonly bufferedAmount: number;
  readonly maxBufferedAmount: number;
  readonly stale: boolean;
  readonly subscriptions: number[];
  readonly resyncs: number;
}

export class DashboardClient {
  readonly subscriptions = new Map<number, Subscription>();
  /** It asked for the run list: it gets it again whenever it changes. */
  wantsRuns = false;
  runListSent = -1;
  private stale = false;
  private staleSince: number | null = null;
  private resyncs = 0;
  private maxBuffered = 0;
  private closing = false;

  constructor(
    readonly id: number,
    private readonly ws: WebSocket,
    private readonly limits: ClientLimits,
  ) {}

  get open(): boolean {
    return !this.closing && this.ws.readyState === this.ws.OPEN;
  }

  info(): ClientInfo {
    return {
      id: this.id,
      bufferedAmount: this.ws.bufferedAmount,
      maxBufferedAmount: this.maxBuffered,
      stale: this.stale,
      subscriptions: [...this.subscriptions.keys()],
      resyncs: this.resyncs,
    };
  }

  /** Sends a reply (hello, an error, the run list on request) unless the client is far behind: replies are small, but a client that never reads must not make them pile up. */
  reply(message: ServerMessage): void {
    this.replyText(encode(message));
  }

  /** `reply` for a message already encoded (the run list, shared by every client). */
  replyText(text: string): void {
    if (!this.open || this.ws.bufferedAmount > this.limits.maxBufferedBytes) return;
    this.sendText(text);
  }

  error(reason: string, request?: string): void {
    this.reply(errorMessage(reason, request));
  }

  subscribe(runId: number): void {
    // Subscribing again asks for a fresh snapshot: the page uses it to replace its state.
    this.subscriptions.set(runId, { needsSnapshot: true, evaluations: 0, statsUpTo: -1, status: null });
  }

  unsubscribe(runId: number): void {
    this.subscriptions.delete(runId);
  }

  /** Whether the socket can take more now; marks the client stale (or closes it when stale too long) when not. */
  private ready(now: number): boolean {
    const buffered = this.ws.bufferedAmount;
    this.maxBuffered = Math.max(this.maxBuffered, buffered);
    const limit = this.stale ? this.limits.maxBufferedBytes / 2 : this.limits.maxBufferedBytes;
    if (buffered <= limit) return true;
    if (!this.stale) {
      this.stale = true;
      this.staleSince = now;
    } else if (this.staleSince !== null && now - this.staleSince > this.limits.slowClientTimeoutMs) {
      this.closeTooSlow(buffered);
    }
    return false;
  }

  /** Leaves the stale state, telling the client that what follows is catch-up after a gap in time (never in data). */
  private resume(): void {
    if (!this.stale) return;
    this.stale = false;
    this.staleSince = null;
    this.resyncs++;
    this.sendText(encode({ type: 'resync', version: PROTOCOL_VERSION, runs: [...this.subscriptions.keys()], reason: 'the connection fell behind; catching up from the store' }));
  }

  /** Sends what the client is missing, as far as its buffer allows. */
  flush(tail: StoreTail, now: number): void {
    for (const [runId, sub] of this.subscriptions) {
      if (!this.open || !this.ready(now)) return;
      this.resume();
      if (sub.needsSnapshot) {
        const snap = tail.snapshot(runId);
        if (!snap) {
          this.subscriptions.delete(runId);
          this.sendText(encode(errorMessage(`run ${runId}: no such run`, 'subscribe')));
          continue;
        }
        sub.needsSnapshot = false;
        sub.evaluations = snap.evaluations;
        sub.statsUpTo = snap.statsUpTo;
        sub.status = snap.message.run.status;
        this.sendText(encode(snap.message));
      }
      const head = tail.head(runId);
      if (!head) continue; // not polled yet: the next poll starts following it

      while (sub.evaluations < head.evaluations) {
        if (!this.ready(now)) return;
        const batch = head.batch;
        if (batch && batch.from === sub.evaluations) {
          this.sendText(batch.text);
          sub.evaluations = batch.to;
        } else {
          const to = Math.min(head.evaluations, sub.evaluations + EVALUATIONS_PER_MESSAGE);
          const evaluations = tail.evaluations(runId, sub.evaluations, to);
          if (evaluations.length === 0) break;
          this.sendText(encode({ type: 'evaluations', version: PROTOCOL_VERSION, runId, evaluations }));
          sub.evaluations += evaluations.length;
        }
      }
      if (sub.statsUpTo < head.statsUpTo && this.ready(now)) {
        const batch = head.statsBatch;
        if (batch && batch.after === sub.statsUpTo) this.sendText(batch.text);
        else this.sendText(encode({ type: 'agent-stats', version: PROTOCOL_VERSION, runId, agentStats: tail.agentStats(runId, sub.statsUpTo, head.statsUpTo) }));
        sub.statsUpTo = head.statsUpTo;
      }
      // The status last, once the evaluations before it are out: "finished" means the client has them all.
      if (sub.evaluations >= head.evaluations && sub.status !== head.run.status && this.ready(now)) {
        sub.status = head.run.status;
        this.sendText(encode({ type: 'run-status', version: PROTOCOL_VERSION, run: head.run }));
      }
    }
    // Checked on every tick, so a client with nothing to send (no subscriptions, only replies it
    // never read) still becomes stale and times out.
    if (this.open) this.ready(now);
  }

  /** Sends the run list if it changed since the last one this client got. */
  flushRuns(listVersion: number, text: string, now: number): void {
    if (!this.wantsRuns || this.runListSent === listVersion || !this.open || !this.ready(now)) return;
    this.resume();
    this.runListSent = listVersion;
    this.sendText(text);
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.ws.close(code, reason);
    // A client that does not read will not complete the closing handshake either.
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }

  private closeTooSlow(buffered: number): void {
    this.close(CLOSE_TOO_SLOW, `too slow: ${buffered} bytes unread for over ${Math.round(this.limits.slowClientTimeoutMs / 1000)} s`);
  }

  private sendText(text: string): void {
    this.ws.send(text);
  }
}
