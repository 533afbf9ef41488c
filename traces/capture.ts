/**
 * The DRAM traffic of a real program: it runs under Valgrind's lackey tool
 * (`valgrind --tool=lackey --trace-mem=yes`), which prints every instruction and every load, store
 * and modify with its virtual address and size. The lines are parsed as they arrive (lackey's output
 * is never held whole) and each access goes, line by line, through:
 *
 * 1. pages: a virtual page gets the next free physical frame the first time it is touched, from
 *    frame 0 up, as on a freshly booted machine; the program must fit in the memory;
 * 2. the last-level cache model (`llc.ts`): a miss reads its line from DRAM (stores too:
 *    write-allocate), a miss that evicts a dirty line writes that line back; a line longer than 64
 *    bytes moves as consecutive 64-byte requests. When the program ends, the dirty lines left in
 *    the cache are written back, so every line the program wrote reaches DRAM;
 * 3. time: an access made after n instructions is issued at trace cycle
 *    floor(n · clkMhz / (ipc · cpuMhz)): a core retiring `ipc` instructions per cycle of a
 *    `cpuMhz` clock, counted in the trace player's `clkMhz` cycles. Memory stalls do not slow
 *    the program down (the trace is open-loop, like every trace: the simulated controller pushes
 *    back instead).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { InputError } from '../common/errors.js';
import { LLC_HIT, LLC_MISS, Llc, type LlcConfig, checkLlcConfig } from './llc.js';
import { OptionError, formatBytes, isPowerOfTwo } from './options.js';

export interface CaptureOptions {
  readonly program: string;
  readonly args: readonly string[];
  readonly llc: LlcConfig;
  /** Page size for the virtual-to-physical mapping (default 4 KiB). */
  readonly pageBytes: number;
  /** The memory the frames come from, and its name for messages. */
  readonly memoryBytes: number;
  readonly memory: string;
  /** Core clock and instructions per core cycle; trace-player clock. */
  readonly cpuMhz: number;
  readonly ipc: number;
  readonly clkMhz: number;
  /** The valgrind to run (default: `valgrind` on PATH). */
  readonly valgrind?: string;
}

export const CAPTURE_DEFAULTS = { pageBytes: 4096, cpuMhz: 3200, ipc: 1, clkMhz: 800 } as const;

/** What a capture saw: lackey's counts, the cache's, and the requests written. */
export interface CaptureStats {
  instructions: number;
  loads: number;
  stores: number;
  modifies: number;
  llcHits: number;
  llcMisses: number;
  /** Dirty lines written back: evicted, plus `flushedLines` left dirty at exit. */
  writeBacks: number;
  flushedLines: number;
  pages: number;
  reads: number;
  writes: number;
  lastCycle: number;
}

/** The request sink: one DRAM request at a time, in time order. */
export type RequestSink = (cycle: number, address: number, write: boolean) => void;

const REQUEST_BYTES = 64;

/** The path of `command` as a shell would find it, or null. */
export function findExecutable(command: string): string | null {
  const candidates = command.includes('/') ? [command] : (process.env.PATH ?? '').split(delimiter).filter((d) => d !== '').map((d) => join(d, command));
  for (const c of candidates) {
    try {
      if (statSync(c).isFile()) {
        accessSync(c, constants.X_OK);
        return c;
      }
    } catch {
      // Not there, or not executable: try the next.
    }
  }
  return null;
}

function checkOptions(o: CaptureOptions): void {
  checkLlcConfig(o.llc);
  if (!isPowerOfTwo(o.pageBytes) || o.pageBytes < o.llc.lineBytes || o.pageBytes > 2 ** 30) {
    throw new OptionError('pageBytes', `expected a power of two from the line size (${o.llc.lineBytes}) to 1 GiB, got ${o.pageBytes}`);
  }
  if (o.llc.lineBytes < REQUEST_BYTES) throw new OptionError('lineBytes', `expected at least one ${REQUEST_BYTES}-byte DRAM burst, got ${o.llc.lineBytes}`);
  for (const [key, v] of [['cpuMhz', o.cpuMhz], ['ipc', o.ipc], ['clkMhz', o.clkMhz]] as const) {
    if (!(Number.isFinite(v) && v > 0 && v <= 1e6)) throw new OptionError(key, `expected a number > 0, got ${v}`);
  }
}

/** Lackey's output lines, parsed from raw bytes as they arrive. */
class LackeyParser {
  private rest: Buffer = Buffer.alloc(0);
  instructions = 0;

  constructor(private readonly onAccess: (kind: number, address: number, size: number, instructions: number) => void) {}

  feed(chunk: Buffer): void {
    let start = 0;
    if (this.rest.length > 0) {
      // The line cut at the end of the last chunk, completed.
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.rest = Buffer.concat([this.rest, chunk]);
        return;
      }
      const line = Buffer.concat([this.rest, chunk.subarray(0, nl)]);
      this.line(line, 0, line.length);
      start = nl + 1;
    }
    for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
      this.line(chunk, start, nl);
      start = nl + 1;
    }
    this.rest = Buffer.from(chunk.subarray(start));
  }

  end(): void {
    if (this.rest.length > 0) this.line(this.rest, 0, this.rest.length);
    this.rest = Buffer.alloc(0);
  }

  /** `I  addr,size` (an instruction) or ` L|S|M addr,size` (a data access); anything else is lackey's commentary. */
  private line(buf: Buffer, start: number, end: number): void {
    const first = buf[start];
    if (first === 73 /* I */) {
      this.instructions++;
      return;
    }
    if (first !== 32 || end - start < 5) return;
    const kind = buf[start + 1];
    if (kind !== 76 /* L */ && kind !== 83 /* S */ && kind !== 77 /* M */) return;
    let i = start + 3;
    let address = 0;
    for (; i < end && buf[i] !== 44; i++) {
      const c = buf[i];
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) return;
      address = address * 16 + d;
    }
    let size = 0;
    for (i++; i < end; i++) {
      const c = buf[i];
      if (c < 48 || c > 57) break;
      size = size * 10 + (c - 48);
    }
    if (size > 0 && Number.isSafeInteger(address + size)) this.onAccess(kind, address, size, this.instructions);
  }
}

/**
 * Runs `program args` under lackey and passes its DRAM requests to `sink`, in time order. Resolves
 * with the counts; rejects with an InputError when valgrind or the program is missing, the program
 * fails, or it made no DRAM traffic.
 */
export async function captureProgram(o: CaptureOptions, sink: RequestSink): Promise<CaptureStats> {
  checkOptions(o);
  const valgrind = findExecutable(o.valgrind ?? 'valgrind');
  if (!valgrind) throw new InputError(`${o.valgrind ?? 'valgrind'}: not found${o.valgrind ? '' : ' on PATH'}: traces capture runs the program under Valgrind (Debian: apt-get install valgrind)`);
  const program = findExecutable(o.program);
  if (!program) throw new InputError(`${o.program}: no such program, or not executable${o.program.includes('/') ? '' : ' (looked on PATH)'}`);

  const llc = new Llc(o.llc);
  const line = o.llc.lineBytes;
  const requestsPerLine = line / REQUEST_BYTES;
  const cyclesPerInstruction = o.clkMhz / (o.ipc * o.cpuMhz);
  const maxFrames = Math.floor(o.memoryBytes / o.pageBytes);
  const frames = new Map<number, number>();
  let lastPage = -1;
  let lastFrame = -1;
  const stats: CaptureStats = { instructions: 0, loads: 0, stores: 0, modifies: 0, llcHits: 0, llcMisses: 0, writeBacks: 0, flushedLines: 0, pages: 0, reads: 0, writes: 0, lastCycle: 0 };

  const transfer = (cycle: number, physicalLine: number, write: boolean): void => {
    for (let k = 0; k < requestsPerLine; k++) sink(cycle, physicalLine * line + k * REQUEST_BYTES, write);
    if (write) stats.writes += requestsPerLine;
    else stats.reads += requestsPerLine;
    stats.lastCycle = cycle;
  };

  const parser = new LackeyParser((kind, address, size, instructions) => {
    if (kind === 76) stats.loads++;
    else if (kind === 83) stats.stores++;
    else stats.modifies++;
    const write = kind !== 76;
    const cycle = Math.floor(instructions * cyclesPerInstruction);
    for (let v = Math.floor(address / line), last = Math.floor((address + size - 1) / line); v <= last; v++) {
      const byte = v * line;
      const page = Math.floor(byte / o.pageBytes);
      let frame = page === lastPage ? lastFrame : frames.get(page);
      if (frame === undefined) {
        frame = frames.size;
        if (frame >= maxFrames) throw new InputError(`${o.program}: touches more than the ${formatBytes(o.memoryBytes)} of ${o.memory} (${maxFrames.toLocaleString('en-US')} pages of ${formatBytes(o.pageBytes)})`);
        frames.set(page, frame);
      }
      lastPage = page;
      lastFrame = frame;
      const physical = (frame * o.pageBytes + (byte % o.pageBytes)) / line;
      const result = llc.access(physical, write);
      if (result === LLC_HIT) continue;
      transfer(cycle, physical, false);
      if (result !== LLC_MISS) transfer(cycle, result, true);
    }
  });

  const child = spawn(valgrind, ['--tool=lackey', '--trace-mem=yes', '--log-fd=3', program, ...o.args], {
    // The program's own output goes to stderr, keeping stdout for marl-dse's.
    stdio: ['inherit', 2, 2, 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', (e) => reject(new InputError(`${valgrind}: cannot run (${(e as NodeJS.ErrnoException).code ?? e.message})`)));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const log = child.stdio[3];
  if (!log) throw new InputError(`${valgrind}: cannot read lackey's output`);
  let failure: unknown = null;
  try {
    for await (const chunk of log as AsyncIterable<Buffer>) parser.feed(chunk);
    parser.end();
  } catch (e) {
    failure = e;
    child.kill('SIGKILL');
  }
  const { code, signal } = await exited;
  if (failure) throw failure;
  const command = [o.program, ...o.args].join(' ');
  if (signal) throw new InputError(`${command}: killed by ${signal} under valgrind; no trace written`);
  if (code !== 0) throw new InputError(`${command}: exited with status ${code} under valgrind; no trace written`);

  // What the program left dirty in the cache reaches DRAM too, after its last instruction.
  stats.instructions = parser.instructions;
  const end = Math.floor(parser.instructions * cyclesPerInstruction);
  const before = llc.writeBacks;
  llc.flush((l) => transfer(end, l, true));
  stats.flushedLines = llc.writeBacks - before;
  stats.llcHits = llc.hits;
  stats.llcMisses = llc.misses;
  stats.writeBacks = llc.writeBacks;
  stats.pages = frames.size;
  if (stats.reads + stats.writes === 0) {
    throw new InputError(`${command}: no DRAM traffic (${(stats.loads + stats.stores + stats.modifies).toLocaleString('en-US')} memory accesses, every one a hit in the ${formatBytes(o.llc.sizeBytes)} cache)`);
  }
  return stats;
}
