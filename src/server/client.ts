/**
 * One dashboard connection and what it has been sent. Delivery is driven by state, not by a queue:
 * for each subscribed run the client has a cursor (evaluations sent, agent reports sent, status
 * sent), and each poll sends it what lies between its cursor and the run's head. A client whose
 * socket buffer is over the high-water mark is sent nothing (it is "stale"); once its buffer drains
 * it gets a `resync` marker and catches up from its cursors, reading the store. So a slow client
 * costs the server at most the high-water mark plus one message (messages are bounded in bytes,
 * snapshots included), however long it lags, and it still receives every evaluation, in order. One
 * that stays stale too long is closed with a reason.
 *
 * Work is bounded too: each poll, a client gets at most a few messages read from the store for it
 * (snapshots, catch-up), whatever it asks; and it may (re)subscribe only so many runs a second and
 * send only so many messages a second. So no client, however it behaves, holds up the others.
 */
import type { WebSocket } from 'ws';
import { encode, errorMessage, PROTOCOL_VERSION, type ServerMessage } from './protocol.js';
import { agentStatsMessage, EVALUATIONS_PER_READ, evaluationsMessage, type StoreTail } from './tail.js';

/** WebSocket close code for a client closed for falling behind (4000-4999: the application's). */
export const CLOSE_TOO_SLOW = 4008;
/** …for one that asked for nothing for too long, or that was quiet longest when a new one needed its place. */
export const CLOSE_IDLE = 4009;

/** Messages read from the store for one client per poll (snapshots and catch-up). */
export const STORE_MESSAGES_PER_POLL = 2;
/** Runs a client may (re)subscribe: a burst of this many… */
export const SUBSCRIBE_BURST = 32;
/** …then this many a second. */
export const SUBSCRIBES_PER_SECOND = 4;
/** Messages a client may send: a burst of this many, then MESSAGES_PER_SECOND a second. */
export const MESSAGE_BURST = 64;
export const MESSAGES_PER_SECOND = 16;

export interface ClientLimits {
  /** Above this many bytes waiting in the socket, nothing more is sent until it drains to half. */
  readonly maxBufferedBytes: number;
  /** A client stale for this long is closed. */
  readonly slowClientTimeoutMs: number;
}

/** A token bucket: `take(n)` succeeds while the bucket holds n tokens; it refills at `rate` a second up to `burst`. */
class Bucket {
  private tokens: number;
  private at: number;
  constructor(
    private readonly burst: number,
    private readonly rate: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }
  take(n: number, now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }
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
  /** Bytes handed to its socket so far. */
  readonly bytesSent: number;
  /** Messages it sent that were acted on, and refused for coming too fast. */
  readonly messages: number;
  readonly refused: number;
  /** Polls of the store since it connected (each one sends it what is new). */
  readonly polls: number;
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
  private bytesSent = 0;
  private storeMessages = 0;
  private messages = 0;
  private refused = 0;
  private polls = 0;
  private readonly messageBucket: Bucket;
  private readonly subscribeBucket: Bucket;
  /** When it last sent a message (or connected). */
  lastHeardAt: number;

  constructor(
    readonly id: number,
    private readonly ws: WebSocket,
    private readonly limits: ClientLimits,
    now: number,
  ) {
    this.lastHeardAt = now;
    this.messageBucket = new Bucket(MESSAGE_BURST, MESSAGES_PER_SECOND, now);
    this.subscribeBucket = new Bucket(SUBSCRIBE_BURST, SUBSCRIBES_PER_SECOND, now);
  }

  /** Whether to act on a message that just arrived (false: it comes too fast, and is dropped). */
  heard(now: number): boolean {
    this.lastHeardAt = now;
    if (this.messageBucket.take(1, now)) {
      this.messages++;
      return true;
    }
    // One reply per refused burst is enough; replies to a flood would only fill its buffer.
    if (this.refused++ % MESSAGE_BURST === 0) this.error(`too many messages: at most ${MESSAGES_PER_SECOND} a second`);
    return false;
  }

  /** Whether it may (re)subscribe `n` runs now. */
  maySubscribe(n: number, now: number): boolean {
    return this.subscribeBucket.take(n, now);
  }

  /** Follows nothing: neither a run nor the run list. */
  get idle(): boolean {
    return this.subscriptions.size === 0 && !this.wantsRuns;
  }

  /** A new poll: the client may again be sent a few messages read from the store. */
  startPoll(): void {
    this.storeMessages = 0;
    this.polls++;
  }

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
      bytesSent: this.bytesSent,
      messages: this.messages,
      refused: this.refused,
      polls: this.polls,
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

  /** Sends what the client is missing, as far as its buffer and this poll's share of store reads allow. */
  flush(tail: StoreTail, now: number): void {
    const maxBytes = tail.maxMessageBytes;
    const mayRead = (): boolean => this.storeMessages < STORE_MESSAGES_PER_POLL;
    for (const [runId, sub] of this.subscriptions) {
      if (!this.open || !this.ready(now)) return;
      this.resume();
      if (sub.needsSnapshot) {
        if (!mayRead()) continue;
        this.storeMessages++;
        const snap = tail.snapshot(runId);
        if (!snap) {
          this.subscriptions.delete(runId);
          this.sendText(encode(errorMessage(`run ${runId}: no such run`, 'subscribe')));
          continue;
        }
        sub.needsSnapshot = false;
        sub.evaluations = snap.evaluations;
        sub.statsUpTo = snap.statsUpTo;
        sub.status = snap.status;
        this.sendText(snap.text);
      }
      const head = tail.head(runId);
      if (!head) continue; // not polled yet: the next poll starts following it

      while (sub.evaluations < head.evaluations) {
        if (!this.ready(now)) return;
        const batch = head.batches.find((b) => b.from === sub.evaluations);
        if (batch) {
          this.sendText(batch.text);
          sub.evaluations = batch.to;
        } else {
          if (!mayRead()) break;
          this.storeMessages++;
          const events = tail.evaluations(runId, sub.evaluations, Math.min(head.evaluations, sub.evaluations + EVALUATIONS_PER_READ));
          if (events.length === 0) break;
          const { text, count } = evaluationsMessage(runId, events, maxBytes);
          this.sendText(text);
          sub.evaluations += count;
        }
      }
      if (sub.statsUpTo < head.statsUpTo && this.ready(now)) {
        const batch = head.statsBatch;
        if (batch && batch.after === sub.statsUpTo) {
          this.sendText(batch.text);
          sub.statsUpTo = batch.upTo;
        } else if (mayRead()) {
          this.storeMessages++;
          const reports = tail.agentStats(runId, sub.statsUpTo, head.statsUpTo);
          if (reports.length > 0) {
            const { text, count } = agentStatsMessage(runId, reports, maxBytes);
            this.sendText(text);
            sub.statsUpTo = reports[count - 1].evaluations;
          }
        }
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
    this.bytesSent += text.length;
    this.ws.send(text);
  }
}
