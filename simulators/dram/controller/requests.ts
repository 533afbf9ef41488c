/**
 * Requests in flight, as a pool of typed-array slots (no allocation per request), and the
 * per-bank queues the schedulers pick from (doubly linked lists in arrival order).
 */

/** How a request found its bank: the first command issued for it decides. */
export const RowOutcome = { UNSET: 0, HIT: 1, MISS: 2, CONFLICT: 3 } as const;

export class RequestPool {
  capacity = 0;
  /** Arrival at the controller's front end (trace time), in controller cycles. */
  arrival = new Float64Array(0);
  /** Arrival order: 0, 1, 2, … (DRAMSys's thread payload ID). */
  id = new Float64Array(0);
  /** Arrival order among the requests of its channel (DRAMSys's channel payload ID): the order a controller keeps. */
  channelId = new Float64Array(0);
  /** Earliest cycle the arbiter may hand the request to the controller. */
  forwardAt = new Float64Array(0);
  /** The cycle it reached the controller after that cycle's command was chosen, else -1. */
  lateAt = new Float64Array(0);
  /** Cycle the controller took it into its scheduler buffer. */
  admitted = new Float64Array(0);
  /** Cycle its response is ready to leave the controller. */
  readyAt = new Float64Array(0);
  channel = new Int32Array(0);
  rank = new Int32Array(0);
  bankGroup = new Int32Array(0);
  bank = new Int32Array(0);
  row = new Int32Array(0);
  column = new Int32Array(0);
  write = new Uint8Array(0);
  outcome = new Uint8Array(0);
  /** Links: bank queue (next/prev), and one FIFO list at a time (arbiter queue or response queue). */
  next = new Int32Array(0);
  prev = new Int32Array(0);
  link = new Int32Array(0);
  private free = new Int32Array(0);
  private freeTop = 0;

  constructor(initial = 256) {
    this.grow(initial);
  }

  alloc(): number {
    if (this.freeTop === 0) this.grow(this.capacity * 2);
    const s = this.free[--this.freeTop];
    this.next[s] = -1;
    this.prev[s] = -1;
    this.link[s] = -1;
    this.outcome[s] = RowOutcome.UNSET;
    return s;
  }

  release(slot: number): void {
    this.free[this.freeTop++] = slot;
  }

  get inUse(): number {
    return this.capacity - this.freeTop;
  }

  private grow(size: number): void {
    const old = this.capacity;
    const f64 = (a: Float64Array): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    const u8 = (a: Uint8Array): Uint8Array<ArrayBuffer> => {
      const b = new Uint8Array(size);
      b.set(a);
      return b;
    };
    this.arrival = f64(this.arrival);
    this.id = f64(this.id);
    this.channelId = f64(this.channelId);
    this.forwardAt = f64(this.forwardAt);
    this.lateAt = f64(this.lateAt);
    this.admitted = f64(this.admitted);
    this.readyAt = f64(this.readyAt);
    this.channel = i32(this.channel);
    this.rank = i32(this.rank);
    this.bankGroup = i32(this.bankGroup);
    this.bank = i32(this.bank);
    this.row = i32(this.row);
    this.column = i32(this.column);
    this.write = u8(this.write);
    this.outcome = u8(this.outcome);
    this.next = i32(this.next);
    this.prev = i32(this.prev);
    this.link = i32(this.link);
    const free = new Int32Array(size);
    free.set(this.free.subarray(0, this.freeTop));
    // New slots are handed out lowest first.
    for (let s = size - 1; s >= old; s--) free[this.freeTop++] = s;
    this.free = free;
    this.capacity = size;
  }
}

/** One queue per bank, oldest first; the scheduler buffer's contents. */
export class BankQueues {
  readonly head: Int32Array;
  readonly tail: Int32Array;
  readonly count: Int32Array;

  constructor(banks: number, private readonly pool: RequestPool) {
    this.head = new Int32Array(banks).fill(-1);
    this.tail = new Int32Array(banks).fill(-1);
    this.count = new Int32Array(banks);
  }

  append(bank: number, slot: number): void {
    const p = this.pool;
    const t = this.tail[bank];
    p.prev[slot] = t;
    p.next[slot] = -1;
    if (t < 0) this.head[bank] = slot;
    else p.next[t] = slot;
    this.tail[bank] = slot;
    this.count[bank]++;
  }

  remove(bank: number, slot: number): void {
    const p = this.pool;
    const a = p.prev[slot];
    const b = p.next[slot];
    if (a < 0) this.head[bank] = b;
    else p.next[a] = b;
    if (b < 0) this.tail[bank] = a;
    else p.prev[b] = a;
    this.count[bank]--;
  }
}

/**
 * Slots keyed by consecutive IDs, for structures that release requests in ID order (reorder
 * buffers, the strict command multiplexer). Grows when the window of IDs does.
 */
export class IdWindow {
  private slots = new Int32Array(64).fill(-1);
  private base = 0;
  private top = 0;

  /** The lowest ID not yet taken. */
  get nextId(): number {
    return this.base;
  }

  put(id: number, slot: number): void {
    while (id - this.base >= this.slots.length) this.grow();
    this.slots[id % this.slots.length] = slot;
    if (id >= this.top) this.top = id + 1;
  }

  /** The slot holding the next ID, or -1 if it has not arrived. */
  peek(): number {
    return this.base < this.top ? this.slots[this.base % this.slots.length] : -1;
  }

  /** Removes the next ID's entry and moves on to the following ID. */
  take(): void {
    this.slots[this.base % this.slots.length] = -1;
    this.base++;
  }

  private grow(): void {
    const size = this.slots.length * 2;
    const slots = new Int32Array(size).fill(-1);
    for (let id = this.base; id < this.top; id++) slots[id % size] = this.slots[id % this.slots.length];
    this.slots = slots;
  }
}

/** A FIFO of slots threaded through `pool.link`; a slot is in at most one such list at a time. */
export class SlotFifo {
  head = -1;
  tail = -1;
  length = 0;

  constructor(private readonly pool: RequestPool) {}

  push(slot: number): void {
    const p = this.pool;
    p.link[slot] = -1;
    if (this.tail < 0) this.head = slot;
    else p.link[this.tail] = slot;
    this.tail = slot;
    this.length++;
  }

  shift(): number {
    const s = this.head;
    this.head = this.pool.link[s];
    if (this.head < 0) this.tail = -1;
    this.length--;
    return s;
  }
}
