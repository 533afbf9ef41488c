/** The page policy decides, when a request hits the open row, whether to close the row with it (RDA/WRA). */
export interface PagePolicy {
  autoPrecharge(bank: number, row: number, serving: number): boolean;
}
