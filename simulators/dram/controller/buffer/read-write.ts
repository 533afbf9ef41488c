import type { BufferCounter } from './buffer.js';

/** ReadWrite: one buffer for reads and one for writes, each with its own depth. */
export class ReadWriteBuffer implements BufferCounter {
  private reads = 0;
  private writes = 0;

  constructor(private readonly readSize: number, private readonly writeSize: number) {}

  hasSpace(_bank: number, isWrite: boolean): boolean {
    return isWrite ? this.writes < this.writeSize : this.reads < this.readSize;
  }

  add(_bank: number, isWrite: boolean): void {
    if (isWrite) this.writes++;
    else this.reads++;
  }

  remove(_bank: number, isWrite: boolean): void {
    if (isWrite) this.writes--;
    else this.reads--;
  }
}
