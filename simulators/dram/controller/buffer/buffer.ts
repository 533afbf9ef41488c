/** The scheduler buffer's capacity rule: whether one more request fits. */
export interface BufferCounter {
  hasSpace(bank: number, isWrite: boolean): boolean;
  add(bank: number, isWrite: boolean): void;
  remove(bank: number, isWrite: boolean): void;
}
