/**
 * The DRAM command vocabulary, numbered for typed-array tables. Names follow JEDEC and DRAMSys. A
 * standard (`standards/*.ts`) declares which of these it has and what each does; nothing else in
 * the simulator knows a command by its name.
 */
export const COMMAND_NAMES = [
  'ACT',
  /** Precharge one bank (DRAMSys PREPB). */
  'PRE',
  /** Precharge all banks of a rank (DRAMSys PREAB). */
  'PREA',
  /** Precharge the same bank in every bank group (DDR5 PREsb). */
  'PRESB',
  'RD',
  /** Read with auto-precharge. */
  'RDA',
  'WR',
  /** Write with auto-precharge. */
  'WRA',
  /** All-bank refresh (DRAMSys REFAB). */
  'REF',
  /** Per-bank refresh (DRAMSys REFPB/REFB; HBM's single-bank refresh). */
  'REFPB',
  /** Refresh of a bank pair (LPDDR5 REFpb, DRAMSys REFP2B). */
  'REFP2B',
  /** Refresh of the same bank in every bank group (DDR5 REFsb). */
  'REFSB',
  /** Power-down entry/exit, active (some bank open) and precharged (all banks closed). */
  'PDEA',
  'PDXA',
  'PDEP',
  'PDXP',
  'SREFEN',
  'SREFEX',
] as const;

export type CmdName = (typeof COMMAND_NAMES)[number];
export const COMMAND_COUNT = COMMAND_NAMES.length;

/** Command codes by name: `Cmd.ACT` is 0, … */
export const Cmd = Object.fromEntries(COMMAND_NAMES.map((n, i) => [n, i])) as { readonly [K in CmdName]: number };

/** What a command does to the banks it targets (a standard's file says which command does what). */
export const EFFECTS = [
  'activate',
  'precharge',
  'read',
  'write',
  /** A column access, then the bank precharges itself. */
  'readAuto',
  'writeAuto',
  'refresh',
  'powerDown',
  'powerUp',
  'selfRefreshEntry',
  'selfRefreshExit',
] as const;
export type Effect = (typeof EFFECTS)[number];

/**
 * Which banks a command acts on: the bank of its request or refresh, every bank of the rank, the
 * same bank in every bank group (DDR5 same-bank refresh), or a bank and its partner half a rank
 * away (LPDDR5 per-2-bank refresh).
 */
export type Target = 'bank' | 'rank' | 'sameBank' | 'bankPair';

/**
 * Which earlier commands a timing rule looks at: on the same bank (each bank the earlier command
 * targeted), bank group, rank, any other rank of the channel, anywhere on the channel, or in
 * another stack of the same rank (HBM's stack IDs: the bank groups of a rank split into stacks).
 */
export type Scope = 'bank' | 'bankGroup' | 'rank' | 'otherRanks' | 'channel' | 'otherStacks';

/**
 * One timing rule: a command in `to` may issue no earlier than `cycles` after a command in `from`
 * issued within `scope`. `param` names the JEDEC parameter(s) for messages. Cycles are counted
 * between the cycles the two commands start (DRAMSys's convention), and may be negative.
 */
export interface TimingConstraint {
  readonly from: readonly CmdName[];
  readonly to: readonly CmdName[];
  readonly scope: Scope;
  readonly cycles: number;
  readonly param: string;
  /**
   * The rule holds only after a `from` command that completes a round: every `from` command issued
   * on the rank is counted, and a round is as many as the rank has targets for it (one per bank
   * for a per-bank refresh). HBM's REFSB→REFSB waits tRFCSB after a full round of per-bank
   * refreshes, tRREFD otherwise (DRAMSys's bankwiseRefreshCounter).
   */
  readonly round?: boolean;
}
