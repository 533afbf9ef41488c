/**
 * Trace file formats: DRAMSys `.stl`, Ramulator and DRAMsim3. A path may name its format with a
 * prefix (`ramulator:PATH`); without one the format is detected from the first request line.
 */
import { InputError } from '../common/errors.js';
import type { TraceSource } from '../simulators/trace.js';
import { DramSim3FileSource } from './dramsim3.js';
import { TraceInput } from './lines.js';
import { RamulatorFileSource } from './ramulator.js';
import { StlFileSource } from './stl.js';

export const TRACE_FORMATS = ['stl', 'ramulator', 'dramsim3'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

export function isTraceFormat(s: string): s is TraceFormat {
  return (TRACE_FORMATS as readonly string[]).includes(s);
}

/** How much of a file detection looks at: enough for any header comment we write. */
const HEAD_BYTES = 64 * 1024;

/** The format one request line is written in, or null if it looks like none of them. */
export function formatOfLine(line: string): TraceFormat | null {
  const text = line.trim();
  // A colon ends the cycle of an .stl line and appears in neither other format: "-5:" and "1.5:"
  // are .stl lines with a bad cycle, reported as such.
  if (/^[^\s:]*\s*:/.test(text)) return 'stl';
  const tokens = text.split(/\s+/);
  if (tokens.length >= 2 && /^[rw]$/i.test(tokens[1])) return 'ramulator';
  if (tokens.length >= 2 && /^(read|write)$/i.test(tokens[1])) return 'dramsim3';
  // An address first is not .stl; the number of fields tells the other two apart, so a corrupt
  // line is reported by the parser of the format it was meant to be.
  if (/^0x/i.test(tokens[0])) return tokens.length >= 3 ? 'dramsim3' : 'ramulator';
  return null;
}

/** The format of the first line of `head` that is neither blank nor a `#` comment; null if there is none yet. */
function formatOfHead(head: Buffer, complete: boolean): TraceFormat | null {
  // Line ends and the byte-order mark as the readers take them: LF, CRLF or CR; a UTF-8 BOM (read as latin1).
  const lines = head.toString('latin1').replace(/^\xef\xbb\xbf/, '').split(/\r\n?|\n/);
  if (!complete) lines.pop(); // the last line may continue
  for (const line of lines) {
    const text = line.trim();
    if (text === '' || text.startsWith('#')) continue;
    return formatOfLine(text) ?? 'stl';
  }
  return complete ? 'stl' : null;
}

function detectInputFormat(input: TraceInput): TraceFormat {
  const head = input.head(HEAD_BYTES, (h) => formatOfHead(h, false) !== null);
  return formatOfHead(head, true) ?? 'stl';
}

/**
 * The format of the trace file at `path`, from its first line that is neither blank nor a `#`
 * comment; `.stl` when that line matches no format (the `.stl` reader then reports it) or the file
 * cannot be read (the reader reports that too).
 */
export function detectTraceFormat(path: string): TraceFormat {
  let input: TraceInput;
  try {
    input = new TraceInput(path);
  } catch {
    return 'stl';
  }
  return detectInputFormat(input);
}

const READERS: Readonly<Record<TraceFormat, new (input: TraceInput, name?: string) => TraceSource>> = {
  stl: StlFileSource,
  ramulator: RamulatorFileSource,
  dramsim3: DramSim3FileSource,
};

/**
 * A streaming reader of `path` in `format` (detected when not given). A named pipe or device is
 * opened once and can be read once.
 */
export function openTraceFile(path: string, format?: TraceFormat, name?: string): TraceSource {
  const input = new TraceInput(path);
  return new READERS[format ?? detectInputFormat(input)](input, name);
}

/**
 * Splits `ramulator:PATH` into its format and path. Only the known format names count as a
 * prefix, so a path containing a colon (or a Windows drive letter) is still a path.
 */
export function parseTraceFileSpec(spec: string): { format?: TraceFormat; path: string } {
  const colon = spec.indexOf(':');
  const prefix = colon > 0 ? spec.slice(0, colon) : '';
  if (isTraceFormat(prefix)) {
    const path = spec.slice(colon + 1);
    if (path === '') throw new InputError(`trace ${spec}: missing file path after "${prefix}:"`);
    return { format: prefix, path };
  }
  return { path: spec };
}
