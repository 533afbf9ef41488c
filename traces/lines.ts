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

export class LineBlocks {
  readonly buf = Buffer.allocUnsafe(BLOCK_BYTES);
  /** The complete lines of the current block: bytes [starts[k], ends[k]) of `buf`. */
  starts = new Int32Array(1 << 14);
  ends = new Int32Array(1 << 14);
  count = 0;
  /** Line number (1-based) of the block's first line. */
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

  /** Reads the next block's complete lines; false once the file is exhausted. */
  next(): boolean {
    this.firstLine += this.count;
    this.count = 0;
    if (this.eof) return false;
    const buf = this.buf;
    const filled = this.restEnd - this.restStart;
    if (filled > 0) buf.copy(buf, 0, this.restStart, this.restEnd);
    const got = this.input.read(buf, filled, BLOCK_BYTES - filled);
    if (got === 0) this.eof = true;
    const limit = filled + got;
    let lineStart = 0;
    let from = filled;
    if (this.first) {
      this.first = false;
      if (limit >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) lineStart = from = 3;
    }
    if (this.pendingCr && from < limit) {
      if (buf[from] === LF) lineStart = from = from + 1;
      this.pendingCr = false;
    }
    for (let i = from; i < limit; i++) {
      const ch = buf[i];
      if (ch !== LF && ch !== CR) continue;
      this.push(lineStart, i);
      if (ch === CR) {
        if (i + 1 < limit) {
          if (buf[i + 1] === LF) i++;
        } else this.pendingCr = true;
      }
      lineStart = i + 1;
    }
    if (this.eof) {
      if (lineStart < limit) this.push(lineStart, limit);
      this.restStart = this.restEnd = 0;
    } else {
      if (lineStart === 0 && limit === BLOCK_BYTES) {
        throw new InputError(`${this.path}:${this.firstLine + this.count}: line longer than ${BLOCK_BYTES} bytes`);
      }
      this.restStart = lineStart;
      this.restEnd = limit;
    }
    return this.count > 0 || !this.eof;
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
 * The requests of a line-based trace file, in chunks (the chunk's arrays are reused: consume one
 * before asking for the next). `parse(buf, start, end, line, out)` fills `out` from one line's
 * bytes and returns false for a line without a request (blank, comment); it throws for a
 * malformed one. Cycles may not go down.
 */
export function* requestChunks(
  input: TraceInput,
  parse: (buf: Uint8Array, start: number, end: number, line: number, out: LineRequest) => boolean,
): Generator<TraceChunk> {
  const file = input.path;
  const blocks = new LineBlocks(input);
  try {
    const cycle = new Float64Array(CHUNK_REQUESTS);
    const address = new Float64Array(CHUNK_REQUESTS);
    const isWrite = new Uint8Array(CHUNK_REQUESTS);
    const parsed: LineRequest = { cycle: 0, address: 0, write: false };
    let n = 0;
    let lastCycle = 0;
    while (blocks.next()) {
      const { buf, starts, ends, count, firstLine } = blocks;
      for (let k = 0; k < count; k++) {
        const line = firstLine + k;
        if (!parse(buf, starts[k], ends[k], line, parsed)) continue;
        if (parsed.cycle < lastCycle) {
          throw new InputError(`${file}:${line}: cycle ${parsed.cycle} is earlier than the previous request's cycle ${lastCycle}`);
        }
        lastCycle = parsed.cycle;
        cycle[n] = parsed.cycle;
        address[n] = parsed.address;
        isWrite[n] = parsed.write ? 1 : 0;
        if (++n === CHUNK_REQUESTS) {
          yield { length: n, cycle, address, isWrite };
          n = 0;
        }
      }
    }
    if (n > 0) yield { length: n, cycle, address, isWrite };
  } finally {
    blocks.close();
  }
}
