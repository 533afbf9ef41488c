/**
 * The lines of a trace file, a 1 MiB block at a time: every reader (`.stl`, Ramulator, DRAMsim3)
 * walks these, so a trace of any length is read in bounded memory. LF, CRLF and a lone CR each end
 * a line, and a UTF-8 byte-order mark is skipped.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { InputError } from '../common/errors.js';
import type { TraceChunk } from '../simulators/trace.js';

const BLOCK_BYTES = 1 << 20;
const CR = 13, LF = 10;

const code = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? 'error';

/** Where a reader gets its bytes: `read` fills `buf[offset, offset + length)` and returns how many (0 at the end). */
export interface ByteReader {
  read(buf: Uint8Array, offset: number, length: number): number;
  close(): void;
}

function fdReader(fd: number): ByteReader {
  return { read: (buf, offset, length) => readSync(fd, buf, offset, length, null), close: () => closeSync(fd) };
}

/**
 * A trace file's bytes. A regular file is opened afresh for each reading, so a trace can be
 * simulated many times. A named pipe or a device (`/dev/stdin`) is opened once, here, and read
 * once: opening it again after its writer closed would wait for a writer that never comes. The
 * bytes format detection looks at are kept and handed to the reader first.
 */
export class TraceInput {
  /** The open pipe or device; −1 for a regular file. */
  private streamFd = -1;
  private streamHead: Buffer = Buffer.alloc(0);
  private streamEnded = false;
  private streamRead = false;

  /** Opens `path` (a pipe waits for its writer); errors name the file. */
  constructor(readonly path: string) {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      throw new InputError(`${path}: cannot open trace (${code(e)})`);
    }
    const stats = fstatSync(fd);
    if (stats.isFile()) closeSync(fd);
    else if (stats.isDirectory()) {
      closeSync(fd);
      throw new InputError(`${path}: is a directory, not a trace file`);
    } else this.streamFd = fd;
  }

  /**
   * The first bytes, without consuming them: up to `maxBytes` of a file; of a pipe, as much as
   * has arrived once `enough(head)` says so, the writer closed, or `maxBytes` are in.
   */
  head(maxBytes: number, enough: (head: Buffer) => boolean = () => false): Buffer {
    if (this.streamFd < 0) {
      const fd = openSync(this.path, 'r');
      try {
        const buf = Buffer.alloc(maxBytes);
        let got = 0;
        for (let n = -1; n !== 0 && got < maxBytes; got += n) n = readSync(fd, buf, got, maxBytes - got, got);
        return buf.subarray(0, got);
      } finally {
        closeSync(fd);
      }
    }
    const buf = Buffer.alloc(maxBytes);
    this.streamHead.copy(buf);
    let got = this.streamHead.length;
    while (!this.streamEnded && got < maxBytes && !enough(buf.subarray(0, got))) {
      const n = readSync(this.streamFd, buf, got, maxBytes - got, null);
      if (n === 0) this.streamEnded = true;
      got += n;
    }
    this.streamHead = buf.subarray(0, got);
    return this.streamHead;
  }

  /** A reader from the first byte. A pipe or device can be read only once. */
  open(): ByteReader {
    if (this.streamFd < 0) {
      try {
        return fdReader(openSync(this.path, 'r'));
      } catch (e) {
        throw new InputError(`${this.path}: cannot open trace (${code(e)})`);
      }
    }
    if (this.streamRead) throw new InputError(`${this.path}: a pipe or device can be read only once (write the trace to a file to use it more than once)`);
    this.streamRead = true;
    const fd = this.streamFd;
    let head = this.streamHead;
    const ended = this.streamEnded;
    return {
      read: (buf, offset, length) => {
        if (head.length > 0) {
          const n = Math.min(length, head.length);
          head.copy(buf, offset, 0, n);
          head = head.subarray(n);
          return n;
        }
        return ended ? 0 : readSync(fd, buf, offset, length, null);
      },
      close: () => closeSync(fd),
    };
  }
}

/**
 * A trace file read a block at a time. After `nextBlock`, bytes [start, end) of `buf` are whole
 * lines, each ended by LF, CRLF or CR, except that the file's last line may lack its line end:
 * then an LF is written just past it (at `end`, outside the lines), so a parser may read up to a
 * line end without checking `end` at each byte.
 */
export class LineBlocks {
  readonly buf = Buffer.allocUnsafe(BLOCK_BYTES);
  start = 0;
  end = 0;
  /** After `next`: the block's lines, bytes [starts[k], ends[k]) of `buf`, line ends left out. */
  starts = new Int32Array(1 << 14);
  ends = new Int32Array(1 << 14);
  count = 0;
  /** After `next`: line number (1-based) of the block's first line. */
  firstLine = 1;
  readonly path: string;
  private readonly input: ByteReader;
  private eof = false;
  private first = true;
  /** A CR ended the last block: an LF starting the next one belongs to the same line end. */
  private pendingCr = false;
  /** The unfinished last line of the previous block, [restStart, restEnd), moved to the front next time. */
  private restStart = 0;
  private restEnd = 0;

  constructor(input: TraceInput) {
    this.path = input.path;
    this.input = input.open();
  }

  /**
   * Reads the next block's whole lines into [start, end); false once the file is exhausted.
   * `line` is the number of the block's first line (for the error a line longer than a block gets).
   */
  nextBlock(line: number): boolean {
    if (this.eof) return false;
    const buf = this.buf;
    const filled = this.restEnd - this.restStart;
    if (filled > 0) buf.copy(buf, 0, this.restStart, this.restEnd);
    const got = this.input.read(buf, filled, BLOCK_BYTES - filled);
    if (got === 0) this.eof = true;
    const limit = filled + got;
    let start = 0;
    if (this.first) {
      this.first = false;
      if (limit >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3;
    }
    if (this.pendingCr && filled < limit) {
      if (buf[filled] === LF) start = filled + 1;
      this.pendingCr = false;
    }
    this.start = start;
    if (this.eof) {
      this.end = limit;
      // The rest (a last line without a line end) is shorter than a block: the LF fits.
      if (limit > start && buf[limit - 1] !== LF && buf[limit - 1] !== CR) buf[limit] = LF;
      this.restStart = this.restEnd = 0;
      return limit > start;
    }
    let last = limit - 1;
    while (last >= start && buf[last] !== LF && buf[last] !== CR) last--;
    if (last < start && limit === BLOCK_BYTES) throw new InputError(`${this.path}:${line}: line longer than ${BLOCK_BYTES} bytes`);
    // A CR as the block's last byte may be the first half of a CRLF.
    if (last === limit - 1 && buf[last] === CR) this.pendingCr = true;
    this.end = last + 1 > start ? last + 1 : start;
    this.restStart = this.end;
    this.restEnd = limit;
    return true;
  }

  private push(start: number, end: number): void {
    if (this.count === this.starts.length) {
      const grow = (a: Int32Array): Int32Array<ArrayBuffer> => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.starts = grow(this.starts);
      this.ends = grow(this.ends);
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
  }

  /** Reads the next block and splits it into lines; false once the file is exhausted. */
  next(): boolean {
    this.firstLine += this.count;
    this.count = 0;
    if (!this.nextBlock(this.firstLine)) return false;
    const buf = this.buf;
    const end = this.end;
    let lineStart = this.start;
    for (let i = lineStart; i < end; i++) {
      const ch = buf[i];
      if (ch !== LF && ch !== CR) continue;
      this.push(lineStart, i);
      if (ch === CR && i + 1 < end && buf[i + 1] === LF) i++;
      lineStart = i + 1;
    }
    if (lineStart < end) this.push(lineStart, end);
    return true;
  }

  close(): void {
    this.input.close();
  }
}

/** Requests per chunk a reader yields. */
const CHUNK_REQUESTS = 1 << 16;

/** One request as a line parser fills it. */
export interface LineRequest {
  cycle: number;
  address: number;
  write: boolean;
}

/**
 * Gathers requests into a chunk whose arrays are reused (consume a chunk before the next fills),
 * checking that cycles never go down.
 */
export class ChunkFiller {
  private readonly cycle = new Float64Array(CHUNK_REQUESTS);
  private readonly address = new Float64Array(CHUNK_REQUESTS);
  private readonly isWrite = new Uint8Array(CHUNK_REQUESTS);
  length = 0;
  private lastCycle = 0;

  constructor(private readonly file: string) {}

  /** Adds the request of line `line`; true when the chunk is full. */
  add(cycle: number, address: number, write: boolean, line: number): boolean {
    if (cycle < this.lastCycle) {
      throw new InputError(`${this.file}:${line}: cycle ${cycle} is earlier than the previous request's cycle ${this.lastCycle}`);
    }
    this.lastCycle = cycle;
    const n = this.length;
    this.cycle[n] = cycle;
    this.address[n] = address;
    this.isWrite[n] = write ? 1 : 0;
    return ++this.length === CHUNK_REQUESTS;
  }

  /** The requests gathered so far, as a chunk; the next `add` starts a new one. */
  take(): TraceChunk {
    const chunk = { length: this.length, cycle: this.cycle, address: this.address, isWrite: this.isWrite };
    this.length = 0;
    return chunk;
  }
}

/**
 * The requests of a line-based trace file, in chunks (the chunk's arrays are reused: consume one
 * before asking for the next). `parse(buf, start, end, line, out)` fills `out` from one line's
 * bytes and returns false for a line without a request (blank, comment); it throws for a
 * malformed one. Cycles may not go down.
 */
export function* requestChunks(
  input: TraceInput,
  parse: (buf: Uint8Array, start: number, end: number, line: number, out: LineRequest) => boolean,
): Generator<TraceChunk> {
  const blocks = new LineBlocks(input);
  try {
    const chunk = new ChunkFiller(input.path);
    const parsed: LineRequest = { cycle: 0, address: 0, write: false };
    while (blocks.next()) {
      const { buf, starts, ends, count, firstLine } = blocks;
      for (let k = 0; k < count; k++) {
        const line = firstLine + k;
        if (!parse(buf, starts[k], ends[k], line, parsed)) continue;
        if (chunk.add(parsed.cycle, parsed.address, parsed.write, line)) yield chunk.take();
      }
    }
    if (chunk.length > 0) yield chunk.take();
  } finally {
    blocks.close();
  }
}
