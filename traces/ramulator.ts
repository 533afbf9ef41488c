/**
 * Ramulator's DRAM-mode traces (`ramulator --mode=dram`): one request per line,
 * `<hex address> <R|W>`, e.g. `0x12345680 R`. The lines carry no time: Ramulator issues the next
 * request as soon as the controller takes it, and we issue request i at trace cycle i, the fastest
 * a trace player sends.
 */
import { type LineFormat, LineTraceSource, type LineScanner, type ParsedRequest } from './line-source.js';
import type { TraceInput } from './lines.js';

export const RAMULATOR_FORMAT: LineFormat = {
  name: 'ramulator',
  expected: '0x<hex address> R|W',
  timed: false,
  parse(s: LineScanner, out: ParsedRequest): boolean | string {
    if (!s.next()) return false;
    const address = s.hex('address');
    if (typeof address === 'string') return address;
    if (!s.next()) return 'missing R or W';
    if (s.tokenIs('r')) out.write = false;
    else if (s.tokenIs('w')) out.write = true;
    else return 'unknown request type (not R or W)';
    if (s.next()) return 'unexpected text after R or W';
    out.address = address;
    return true;
  },
};

/** A streaming reader over a Ramulator DRAM trace. */
export class RamulatorFileSource extends LineTraceSource {
  constructor(file: string | TraceInput, name?: string) {
    super(file, RAMULATOR_FORMAT, name);
  }
}

/** Formats one request as a Ramulator trace line (Ramulator has no timestamps: the cycle is dropped). */
export function ramulatorLine(address: number, write: boolean): string {
  return `0x${address.toString(16)} ${write ? 'W' : 'R'}`;
}

