import type { BufferCounter } from './buffer.js';

/** Bankwise: each bank holds up to RequestBufferSize requests; a request waits for room in its own bank. */
export class BankwiseBuffer implements BufferCounter {
  private readonly perBank: Int32Array;

  constructor(banks: number, private readonly size: number) {
    this.perBank = new Int32Array(banks);
  }

  hasSpace(bank: number): boolean {
    return this.perBank[bank] < this.size;
  }

  add(bank: number): void {
    this.perBank[bank]++;
  }

  remove(bank: number): void {
    this.perBank[bank]--;
  }
}
