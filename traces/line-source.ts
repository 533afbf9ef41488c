/**
 * A streaming reader for line-per-request trace formats other than `.stl` (Ramulator, DRAMsim3).
 * Like the `.stl` reader it reads the file in 1 MiB blocks and hands out requests in reusable
 * chunks, so a trace of any length is read in bounded memory; a format only supplies the parser
 * of one line. LF, CRLF and CR line ends and a UTF-8 byte-order mark are accepted.
 */
import { InputError } from '../common/errors.js';
import type { TraceChunk, TraceSource } from '../simulators/trace.js';
import { HASH, hexDigit, isBlank, lowerAscii } from './ascii.js';
import { type LineRequest, TraceInput, requestChunks } from './lines.js';

/** What a format's parser fills (the cycle is ignored for untimed formats). */
export type ParsedRequest = LineRequest;

/**
 * Walks the whitespace-separated tokens of one line. `#` starts a comment: neither Ramulator nor
 * DRAMsim3 has comments, but allowing them lets our files carry a header saying where they came from.
 */
export class LineScanner {
  private buf: Uint8Array = new Uint8Array(0);
  private lineStart = 0;
  private end = 0;
  private pos = 0;
  /** The current token: bytes [tokenStart, tokenEnd). */
  tokenStart = 0;
  tokenEnd = 0;

  reset(buf: Uint8Array, start: number, end: number): void {
    this.buf = buf;
    this.lineStart = start;
    this.end = end;
    this.pos = start;
  }

  /** Moves to the next token; false at the end of the line or at a comment. */
  next(): boolean {
    const { buf, end } = this;
    let i = this.pos;
    while (i < end && isBlank(buf[i])) i++;
    if (i === end || buf[i] === HASH) {
      this.pos = this.tokenStart = this.tokenEnd = i;
      return false;
    }
    this.tokenStart = i;
    while (i < end && !isBlank(buf[i]) && buf[i] !== HASH) i++;
    this.tokenEnd = this.pos = i;
    return true;
  }

  /** Whether the current token is `word`, ignoring ASCII case. */
  tokenIs(word: string): boolean {
    if (this.tokenEnd - this.tokenStart !== word.length) return false;
    for (let k = 0; k < word.length; k++) {
      if (lowerAscii(this.buf[this.tokenStart + k]) !== word.charCodeAt(k)) return false;
    }
    return true;
  }

  /** The current token as a hex number with an optional 0x; a string saying what is wrong otherwise. */
  hex(what: string): number | string {
    let i = this.tokenStart;
    const { buf, tokenEnd } = this;
    if (tokenEnd - i >= 2 && buf[i] === 48 && lowerAscii(buf[i + 1]) === 120) i += 2;
    if (i === tokenEnd) return `empty ${what}`;
    let v = 0;
    for (; i < tokenEnd; i++) {
      const d = hexDigit(buf[i]);
      if (d < 0) return `bad character in ${what}`;
      v = v * 16 + d;
    }
    return Number.isSafeInteger(v) ? v : `${what} beyond 2^53`;
  }

  /** The current token as a decimal integer; a string saying what is wrong otherwise. */
  decimal(what: string): number | string {
    const { buf, tokenStart, tokenEnd } = this;
    let v = 0;
    for (let i = tokenStart; i < tokenEnd; i++) {
      const c = buf[i];
      if (c < 48 || c > 57) return `bad character in ${what}`;
      v = v * 10 + (c - 48);
    }
    return Number.isSafeInteger(v) ? v : `${what} too large`;
  }

  /** The line's text (its first 80 bytes), for error messages. */
  text(): string {
    const bytes = this.buf.subarray(this.lineStart, Math.min(this.end, this.lineStart + 80));
    return Buffer.from(bytes).toString('latin1').replace(/\s+$/, '');
  }
}

/** A trace format of one request per line. */
export interface LineFormat {
  /** Named in error messages: "ramulator", "dramsim3". */
  readonly name: string;
  /** What a good line looks like, quoted in error messages. */
  readonly expected: string;
  /** Whether lines carry issue cycles; if not, request i is issued at cycle i. */
  readonly timed: boolean;
  /**
   * Parses the line under `s` into `out`. Returns false for a blank or comment line and a string
   * saying what is wrong for a malformed one.
   */
  parse(s: LineScanner, out: ParsedRequest): boolean | string;
}

/**
 * A streaming reader of a file in `format`; each call to `chunks()` reads the file from its start
 * (a pipe or device is read once).
 */
export class LineTraceSource implements TraceSource {
  readonly name: string;
  readonly path: string;
  private readonly input: TraceInput;

  constructor(
    file: string | TraceInput,
    readonly format: LineFormat,
    name?: string,
  ) {
    this.input = typeof file === 'string' ? new TraceInput(file) : file;
    this.path = this.input.path;
    this.name = name ?? this.path;
  }

  chunks(): Generator<TraceChunk> {
    const { path: file, format } = this;
    const scanner = new LineScanner();
    // Untimed formats issue request i at cycle i.
    let requests = 0;
    return requestChunks(this.input, (buf, start, end, line, out) => {
      scanner.reset(buf, start, end);
      const ok = format.parse(scanner, out);
      if (ok === false) return false;
      if (typeof ok === 'string') {
        throw new InputError(`${file}:${line}: ${ok} in "${scanner.text()}" (expected a ${format.name} line "${format.expected}")`);
      }
      if (!format.timed) out.cycle = requests;
      requests++;
      return true;
    });
  }
}
