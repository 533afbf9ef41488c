import { COMMAND_NAMES } from '../commands.js';

/** Every command the controller issued, in order, in growable typed arrays. */
export class CommandLog {
  length = 0;
  time = new Float64Array(1024);
  cmd = new Uint8Array(1024);
  rank = new Int32Array(1024);
  bankGroup = new Int32Array(1024);
  /** Channel-absolute bank, or -1 for a rank-wide command. */
  bank = new Int32Array(1024);
  /** The row an ACT opens, a PRE closes or a column command accesses, else -1. */
  row = new Int32Array(1024);
  column = new Int32Array(1024);

  push(time: number, cmd: number, rank: number, bankGroup: number, bank: number, row: number, column: number): void {
    if (this.length === this.time.length) this.grow();
    const i = this.length++;
    this.time[i] = time;
    this.cmd[i] = cmd;
    this.rank[i] = rank;
    this.bankGroup[i] = bankGroup;
    this.bank[i] = bank;
    this.row[i] = row;
    this.column[i] = column;
  }

  private grow(): void {
    const n = this.time.length * 2;
    const f = <T extends Float64Array | Uint8Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.time = f(this.time, (k) => new Float64Array(k));
    this.cmd = f(this.cmd, (k) => new Uint8Array(k));
    this.rank = f(this.rank, (k) => new Int32Array(k));
    this.bankGroup = f(this.bankGroup, (k) => new Int32Array(k));
    this.bank = f(this.bank, (k) => new Int32Array(k));
    this.row = f(this.row, (k) => new Int32Array(k));
    this.column = f(this.column, (k) => new Int32Array(k));
  }

  /**
   * A header naming the columns, then one line per command: cycle, command, rank, bank group, bank
   * (-1: the whole rank), row (the row an ACT opens, a PRE closes or a column command accesses;
   * else -1) and column.
   */
  toText(): string {
    const lines: string[] = ['# cycle\tcommand\trank\tbankgroup\tbank\trow\tcolumn'];
    for (let i = 0; i < this.length; i++) {
      lines.push(`${this.time[i]}\t${COMMAND_NAMES[this.cmd[i]]}\t${this.rank[i]}\t${this.bankGroup[i]}\t${this.bank[i]}\t${this.row[i]}\t${this.column[i]}`);
    }
    return lines.join('\n');
  }
}
