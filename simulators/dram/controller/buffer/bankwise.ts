import type { BufferCounter } from './buffer.js';

/**
 * Bankwise: RequestBufferSize entries per bank. As in DRAMSys (`BufferCounterBankwise`), the
 * controller takes the next request only while the bank of the request it took last has room: a
 * full bank holds up every request behind it (head-of-line), whichever bank they go to, and a
 * request may join a bank that is already full when the bank before it had room.
 */
export class BankwiseBuffer implements BufferCounter {
  private readonly perBank: Int32Array;
  /** The bank of the request taken last (bank 0 before any). */
  private lastBank = 0;

  constructor(banks: number, private readonly size: number) {
    this.perBank = new Int32Array(banks);
  }

  hasSpace(): boolean {
    return this.perBank[this.lastBank] < this.size;
  }

  add(bank: number): void {
    this.lastBank = bank;
    this.perBank[bank]++;
  }

  remove(bank: number): void {
    this.perBank[bank]--;
  }
}
