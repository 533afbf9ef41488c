/**
 * What LPDDR4 and LPDDR5 share: DRAMPower's reading of a supply rail's currents (DRAMPower v6, the
 * model DRAMSys uses for both), in particular of IDD5PB.
 */
import { type JsonObject, current } from '../json.js';
import type { Rail, Timing } from './standard.js';

/** The currents of one rail DRAMPower reads, by their names without the rail's suffix. */
const BASES = ['idd0', 'idd2n', 'idd3n', 'idd4r', 'idd4w', 'idd5', 'idd5pb', 'idd2p', 'idd3p', 'idd6'] as const;
export type LpddrCurrent = (typeof BASES)[number] | 'vdd';

/**
 * One rail: `key` names the memspec key of each current (and of the voltage, `vdd`). IDD5PB is the
 * average current while per-bank refreshes come every tREFIpb; the current during one refresh is, as
 * DRAMPower derives it, (IDD5PB·tREFIpb − IDD2N·(tREFIpb − tRFCpb)) / tRFCpb (DRAMPower writes
 * tREFI/8, the same interval for 8 banks or 8 bank pairs).
 */
export function lpddrRail(p: JsonObject, at: string, scale: number, t: Timing, name: string, key: (base: LpddrCurrent) => string): Rail {
  const i = Object.fromEntries(BASES.map((b) => [b, current(p, key(b), at, scale)])) as Record<(typeof BASES)[number], number>;
  const refreshing = (i.idd5pb * t.REFIpb - i.idd2n * (t.REFIpb - t.RFCpb)) / t.RFCpb;
  return { name, voltage: current(p, key('vdd'), at, 1), currents: { ...i, idd5pb: refreshing } };
}
