/**
 * The DRAM standards, by DRAMSys's memoryType name. Adding a standard is one file declaring it
 * (see `standard.ts` and README "Adding a DRAM standard") and one line here.
 */
import { DDR3 } from './ddr3.js';
import { DDR4 } from './ddr4.js';
import { DDR5 } from './ddr5.js';
import { LPDDR4 } from './lpddr4.js';
import { LPDDR5 } from './lpddr5.js';
import { HBM2 } from './hbm2.js';
import { HBM3 } from './hbm3.js';
import type { DramStandard } from './standard.js';

export type { DramStandard };

export const STANDARDS: Readonly<Record<string, DramStandard>> = { DDR3, DDR4, DDR5, LPDDR4, LPDDR5, HBM2, HBM3 };
