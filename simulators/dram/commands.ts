/** DRAM commands, numbered for typed-array tables. Names follow JEDEC/DRAMSys. */
export const Cmd = {
  ACT: 0,
  /** Precharge one bank (DRAMSys PREPB). */
  PRE: 1,
  /** Precharge all banks of a rank (DRAMSys PREAB). */
  PREA: 2,
  RD: 3,
  /** Read with auto-precharge. */
  RDA: 4,
  WR: 5,
  /** Write with auto-precharge. */
  WRA: 6,
  /** All-bank refresh (DRAMSys REFAB). */
  REF: 7,
  /** Per-bank refresh (DRAMSys REFPB). */
  REFPB: 8,
  /** Power-down entry/exit, active (some bank open) and precharged (all banks closed). */
  PDEA: 9,
  PDXA: 10,
  PDEP: 11,
  PDXP: 12,
  SREFEN: 13,
  SREFEX: 14,
} as const;

export type CmdName = keyof typeof Cmd;
export type CmdCode = (typeof Cmd)[CmdName];

export const COMMAND_NAMES: readonly CmdName[] = [
  'ACT', 'PRE', 'PREA', 'RD', 'RDA', 'WR', 'WRA', 'REF', 'REFPB', 'PDEA', 'PDXA', 'PDEP', 'PDXP', 'SREFEN', 'SREFEX',
];
export const COMMAND_COUNT = COMMAND_NAMES.length;

export function isColumnCommand(c: number): boolean {
  return c === Cmd.RD || c === Cmd.RDA || c === Cmd.WR || c === Cmd.WRA;
}
export function isRead(c: number): boolean {
  return c === Cmd.RD || c === Cmd.RDA;
}
export function isWriteCmd(c: number): boolean {
  return c === Cmd.WR || c === Cmd.WRA;
}

/** Which commands constrain which: within one bank, one bank group, one rank, or across ranks. */
export type Scope = 'bank' | 'bankGroup' | 'rank' | 'otherRanks';

/**
 * One timing rule: a command in `to` may issue no earlier than `cycles` after a command in `from`
 * issued within `scope`. `param` names the JEDEC parameter(s) for messages.
 */
export interface TimingConstraint {
  readonly from: readonly CmdName[];
  readonly to: readonly CmdName[];
  readonly scope: Scope;
  readonly cycles: number;
  readonly param: string;
}
