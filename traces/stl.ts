/**
 * DRAMSys `.stl` traces: one request per line, `<cycle>:<TAB>[(<bytes>)<TAB>]<read|write><TAB>0x<hex
 * address>`, optionally followed by `<TAB><data>`; `#` starts a comment. Cycles count the trace
 * player's clock. LF, CRLF and CR line ends and a UTF-8 byte-order mark are accepted.
 *
 * The reader streams: it reads the file in fixed-size blocks and hands out requests in reusable
 * chunks, so a trace of any length is simulated in bounded memory.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { InputError } from '../common/errors.js';
import type { Trace, TraceChunk, TraceSource } from '../simulators/trace.js';
import { TraceBuilder, chunksOf } from '../simulators/trace.js';
import { HASH, TAB, hexDigit, isBlank, lowerAscii } from './ascii.js';
import { ChunkFiller, LineBlocks, type LineRequest, TraceInput } from './lines.js';

const COLON = 58, OPEN_PAREN = 40, CLOSE_PAREN = 41, LF = 10, CR = 13;
/** One request is one burst; longer DRAMSys requests are not split here. */
const MAX_REQUEST_BYTES = 64;

/** Compares bytes [start, end) with an ASCII word, ignoring case. */
function wordIs(buf: Uint8Array, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (lowerAscii(buf[start + i]) !== word.charCodeAt(i)) return false;
  return true;
}

function failLine(buf: Uint8Array, start: number, end: number, file: string, line: number, what: string): never {
  const text = Buffer.from(buf.subarray(start, Math.min(end, start + 80))).toString('latin1').replace(/\s+$/, '');
  throw new InputError(`${file}:${line}: ${what} in "${text}" (expected "<cycle>:<TAB>read|write<TAB>0x<hex address>")`);
}

/**
 * Parses one line's bytes [start, end). Returns null for a blank or comment line and throws an
 * InputError naming `file:line` for anything malformed.
 */
function parseLine(buf: Uint8Array, start: number, end: number, file: string, line: number, out: LineRequest): boolean {
  let i = start;
  while (i < end && isBlank(buf[i])) i++;
  if (i === end || buf[i] === HASH) return false;
  // <cycle>:
  let cycle = 0;
  const cycleStart = i;
  while (i < end && buf[i] >= 48 && buf[i] <= 57) {
    cycle = cycle * 10 + (buf[i] - 48);
    i++;
  }
  if (i < end && buf[i] !== COLON && !isBlank(buf[i])) {
    // Text up to a colon is a cycle that is not a whole number ("-5:", "1.5:"); without a colon the line is no .stl line.
    let j = i;
    while (j < end && buf[j] !== COLON && !isBlank(buf[j])) j++;
    if (j < end && buf[j] === COLON) failLine(buf, start, end, file, line, 'cycle is not a whole number of cycles ≥ 0');
  }
  if (i === cycleStart) failLine(buf, start, end, file, line, 'missing cycle');
  if (!Number.isSafeInteger(cycle)) failLine(buf, start, end, file, line, 'cycle too large');
  if (i === end || buf[i] !== COLON) failLine(buf, start, end, file, line, 'missing ":" after the cycle');
  i++;
  while (i < end && isBlank(buf[i])) i++;
  // An optional data length in bytes, "(64)", as DRAMSys writes it.
  if (i < end && buf[i] === OPEN_PAREN) {
    let length = 0;
    i++;
    const lenStart = i;
    while (i < end && buf[i] >= 48 && buf[i] <= 57) length = length * 10 + (buf[i++] - 48);
    if (i === lenStart || i === end || buf[i] !== CLOSE_PAREN) failLine(buf, start, end, file, line, 'bad data length');
    if (length > MAX_REQUEST_BYTES) failLine(buf, start, end, file, line, `data length ${length} is longer than one ${MAX_REQUEST_BYTES}-byte burst`);
    i++;
    while (i < end && isBlank(buf[i])) i++;
  }
  // read | write
  const cmdStart = i;
  while (i < end && !isBlank(buf[i])) i++;
  let write: boolean;
  if (wordIs(buf, cmdStart, i, 'read')) write = false;
  else if (wordIs(buf, cmdStart, i, 'write')) write = true;
  else return failLine(buf, start, end, file, line, cmdStart === i ? 'missing command' : 'unknown command (not read or write)');
  while (i < end && isBlank(buf[i])) i++;
  // Hexadecimal address, with or without 0x (DRAMSys parses it as base 16 either way).
  if (i + 1 < end && buf[i] === 48 && lowerAscii(buf[i + 1]) === 120) i += 2;
  if (i === end || hexDigit(buf[i]) < 0) failLine(buf, start, end, file, line, 'missing hex address');
  let address = 0;
  let significant = 0;
  while (i < end) {
    const d = hexDigit(buf[i]);
    if (d < 0) break;
    address = address * 16 + d;
    if (address > 0) significant++;
    i++;
  }
  if (significant > 14 || !Number.isSafeInteger(address)) failLine(buf, start, end, file, line, 'address beyond 2^53');
  if (i < end && !isBlank(buf[i]) && buf[i] !== HASH) failLine(buf, start, end, file, line, 'bad character in address');
  // Optional data, then an optional comment: both ignored.
  out.cycle = cycle;
  out.address = address;
  out.write = write;
  return true;
}

/** Each byte's value as a hexadecimal digit, −1 for other bytes. */
const HEX_DIGIT = Int8Array.from({ length: 256 }, (_, c) => hexDigit(c));
const READ_TAB = Buffer.from('read\t'), WRITE_TAB = Buffer.from('write\t');

/** Whether the bytes at `i` are `word`. */
function bytesAre(buf: Uint8Array, i: number, word: Uint8Array): boolean {
  for (let k = 0; k < word.length; k++) if (buf[i + k] !== word[k]) return false;
  return true;
}

/**
 * Parses the line at `i` if it has the usual form, as `traces generate` and DRAMSys write it:
 * `<cycle>:<TAB>read|write<TAB>0x<hex address>` and a line end, with 1 to 15 cycle digits (a safe
 * integer) and 1 to 13 address digits (52 bits). Returns where its line end is, or -1 for any
 * other line (left to `parseLine`). The line must be followed by a line end.
 */
function parseUsualLine(buf: Uint8Array, i: number, out: LineRequest): number {
  const start = i;
  let cycle = 0;
  for (let c = buf[i]; c >= 48 && c <= 57; c = buf[++i]) cycle = cycle * 10 + (c - 48);
  if (i === start || i - start > 15 || buf[i] !== COLON || buf[i + 1] !== TAB) return -1;
  i += 2;
  let write: boolean;
  if (bytesAre(buf, i, READ_TAB)) write = false;
  else if (bytesAre(buf, i, WRITE_TAB)) write = true;
  else return -1;
  i += write ? WRITE_TAB.length : READ_TAB.length;
  if (buf[i] !== 48 || buf[i + 1] !== 120) return -1;
  i += 2;
  const digits = i;
  let address = 0;
  for (let d = HEX_DIGIT[buf[i]]; d >= 0; d = HEX_DIGIT[buf[++i]]) address = address * 16 + d;
  if (i === digits || i - digits > 13 || (buf[i] !== LF && buf[i] !== CR)) return -1;
  out.cycle = cycle;
  out.address = address;
  out.write = write;
  return i;
}

/**
 * The requests of a `.stl` file, in chunks (reused: consume one before asking for the next). A line
 * of the usual form is read in one pass over its bytes; any other (comments, other spacing, data,
 * errors) goes to `parseLine`.
 */
function* stlChunks(input: TraceInput): Generator<TraceChunk> {
  const file = input.path;
  const blocks = new LineBlocks(input);
  try {
    const chunk = new ChunkFiller(file);
    const parsed: LineRequest = { cycle: 0, address: 0, write: false };
    let line = 1;
    while (blocks.nextBlock(line)) {
      // Every line up to `end` is followed by a line end.
      const { buf, end } = blocks;
      for (let i = blocks.start; i < end; line++) {
        let lineEnd = parseUsualLine(buf, i, parsed);
        let isRequest = true;
        if (lineEnd < 0) {
          lineEnd = i;
          while (lineEnd < end && buf[lineEnd] !== LF && buf[lineEnd] !== CR) lineEnd++;
          isRequest = parseLine(buf, i, lineEnd, file, line, parsed);
        }
        i = afterLineEnd(buf, lineEnd, end);
        if (isRequest && chunk.add(parsed.cycle, parsed.address, parsed.write, line)) yield chunk.take();
      }
    }
    if (chunk.length > 0) yield chunk.take();
  } finally {
    blocks.close();
  }
}

/** Where the next line starts, given the position of a line end (LF, CRLF or CR) or of `end`. */
function afterLineEnd(buf: Uint8Array, i: number, end: number): number {
  if (i < end && buf[i] === CR && i + 1 < end && buf[i + 1] === LF) return i + 2;
  return i + 1;
}

/**
 * A streaming reader over a `.stl` file; each call to `chunks()` reads the file from its start (a
 * pipe or device is read once).
 */
export class StlFileSource implements TraceSource {
  readonly name: string;
  readonly path: string;
  private readonly input: TraceInput;

  constructor(file: string | TraceInput, name?: string) {
    this.input = typeof file === 'string' ? new TraceInput(file) : file;
    this.path = this.input.path;
    this.name = name ?? this.path;
  }

  chunks(): Generator<TraceChunk> {
    return stlChunks(this.input);
  }
}

/** Reads a whole `.stl` file into memory. */
export function readStl(path: string, name?: string): Trace {
  const source = new StlFileSource(path, name);
  const builder = new TraceBuilder();
  for (const chunk of source.chunks()) {
    for (let i = 0; i < chunk.length; i++) builder.push(chunk.cycle[i], chunk.address[i], chunk.isWrite[i] === 1);
  }
  return builder.build(source.name);
}

/** Formats one request as a `.stl` line (without the newline). */
export function stlLine(cycle: number, address: number, write: boolean): string {
  return `${cycle}:\t${write ? 'write' : 'read'}\t0x${address.toString(16)}`;
}

/** Writes `.stl` lines to a file as they come, 1 MiB at a time. */
export class StlWriter {
  private readonly fd: number;
  private text = '';

  /** Creates `path`; `header` lines become `#` comments. */
  constructor(path: string, header?: string) {
    this.fd = openSync(path, 'w');
    if (header) this.text = header.split('\n').map((l) => `# ${l}`).join('\n') + '\n';
  }

  push(cycle: number, address: number, write: boolean): void {
    this.text += stlLine(cycle, address, write) + '\n';
    if (this.text.length > 1 << 20) this.flush();
  }

  /** Writes what is left and closes the file. */
  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }

  /** Closes the file without writing what is left (after a failure). */
  discard(): void {
    this.text = '';
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.text.length > 0) writeSync(this.fd, this.text);
    this.text = '';
  }
}

/** Writes a trace as a `.stl` file, streaming, with an optional header comment. */
export function writeStl(trace: Trace | TraceSource, path: string, header?: string): void {
  const out = new StlWriter(path, header);
  try {
    for (const chunk of chunksOf(trace)) {
      for (let i = 0; i < chunk.length; i++) out.push(chunk.cycle[i], chunk.address[i], chunk.isWrite[i] === 1);
    }
  } catch (e) {
    out.discard();
    throw e;
  }
  out.close();
}
