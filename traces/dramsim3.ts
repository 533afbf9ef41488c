/**
 * DRAMsim3 traces: one request per line, `<hex address> <READ|WRITE> <cycle>`, e.g.
 * `0x12345680 READ 121`. The cycle is the memory's clock in DRAMsim3; here, as for `.stl`, it is
 * the trace player's (`--clk-mhz`), and cycles must not decrease.
 */
import { type LineFormat, LineTraceSource, type LineScanner, type ParsedRequest } from './line-source.js';
import type { TraceInput } from './lines.js';

export const DRAMSIM3_FORMAT: LineFormat = {
  name: 'dramsim3',
  expected: '0x<hex address> READ|WRITE <cycle>',
  timed: true,
  parse(s: LineScanner, out: ParsedRequest): boolean | string {
    if (!s.next()) return false;
    const address = s.hex('address');
    if (typeof address === 'string') return address;
    if (!s.next()) return 'missing READ or WRITE';
    if (s.tokenIs('read')) out.write = false;
    else if (s.tokenIs('write')) out.write = true;
    else return 'unknown request type (not READ or WRITE)';
    if (!s.next()) return 'missing cycle';
    const cycle = s.decimal('cycle');
    if (typeof cycle === 'string') return cycle;
    if (s.next()) return 'unexpected text after the cycle';
    out.address = address;
    out.cycle = cycle;
    return true;
  },
};

/** A streaming reader over a DRAMsim3 trace. */
export class DramSim3FileSource extends LineTraceSource {
  constructor(file: string | TraceInput, name?: string) {
    super(file, DRAMSIM3_FORMAT, name);
  }
}

/** Formats one request as a DRAMsim3 trace line. */
export function dramsim3Line(cycle: number, address: number, write: boolean): string {
  return `0x${address.toString(16)} ${write ? 'WRITE' : 'READ'} ${cycle}`;
}

