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
import { HASH, hexDigit, isBlank, lowerAscii } from './ascii.js';
import { type LineRequest, TraceInput, requestChunks } from './lines.js';

const COLON = 58, OPEN_PAREN = 40, CLOSE_PAREN = 41;
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
    const file = this.path;
    return requestChunks(this.input, (buf, start, end, line, out) => parseLine(buf, start, end, file, line, out));
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
