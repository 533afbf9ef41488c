import type { BufferCounter } from './buffer.js';

/** Shared: one pool of RequestBufferSize entries for all banks. */
export class SharedBuffer implements BufferCounter {
  private used = 0;

  constructor(private readonly size: number) {}

  hasSpace(): boolean {
    return this.used < this.size;
  }

  add(): void {
    this.used++;
  }

  remove(): void {
    this.used--;
  }
}
