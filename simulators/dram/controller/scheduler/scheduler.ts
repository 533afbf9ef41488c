/** The scheduler picks, for one bank, which buffered request that bank serves next. */
export interface Scheduler {
  /** The slot of the request `bank` should serve next, or -1 if it serves none now (queue empty, or only requests the scheduler holds back). */
  pick(bank: number, openRow: number): number;
  /** Whether a request other than the one being served also hits `row` (DRAMSys's predicate). */
  hasFurtherRowHit(bank: number, row: number, serving: number): boolean;
  /** Whether the bank holds a request besides the one being served. */
  hasFurtherRequest(bank: number): boolean;
  /**
   * Tells the scheduler a column command was issued; returns true if that changes its picks for
   * other banks (so the controller must ask again).
   */
  onColumnCommand(isWrite: boolean): boolean;
  /** Tells the scheduler a request entered the buffer; returns true if that changes its picks for other banks. */
  onAdmit?(isWrite: boolean): boolean;
}
