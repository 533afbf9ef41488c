/**
 * Built-in device setups, by name. Each is a set of DRAMSys JSON files under
 * `simulators/dram/presets/`, so users can copy and edit them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../common/errors.js';
import { type AddressMapping, parseAddressMapping } from './address-mapping.js';
import { readJsonFile } from './json.js';
import { type McConfig, DEFAULT_MCCONFIG, parseMcConfig } from './mcconfig.js';
import { type MemSpec, parseMemSpec } from './memspec.js';

/** The package root: the nearest folder above this module holding marl-dse's package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'marl-dse') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('marl-dse package root not found');
    dir = up;
  }
}

export const PRESETS_DIR = join(packageRoot(), 'simulators', 'dram', 'presets');

export interface DevicePreset {
  readonly description: string;
  readonly memspec: string;
  readonly addressmapping: string;
  /** Trace-player clock of the reference setup. */
  readonly clkMhz: number;
}

export const MEMSPEC_PRESETS: Readonly<Record<string, DevicePreset>> = {
  'ddr3-1600': {
    description: 'Micron 1 Gb DDR3-1600 x8, 8 devices (1 GiB), 1 rank, 8 banks; row-bank-column mapping',
    memspec: 'memspec/MICRON_1Gb_DDR3-1600_8bit_G.json',
    addressmapping: 'addressmapping/am_ddr3_8x1Gbx8_dimm_p1KB_rbc.json',
    clkMhz: 800,
  },
  'ddr4-2400': {
    description: 'JEDEC 4 Gb DDR4-2400 x8, 8 devices (4 GiB), 1 rank, 4 bank groups x 4 banks; bank-row-column mapping',
    memspec: 'memspec/JEDEC_4Gb_DDR4-2400_8bit_A.json',
    addressmapping: 'addressmapping/am_ddr4_8x4Gbx8_dimm_p1KB_brc.json',
    clkMhz: 800,
  },
  'ddr5-4800': {
    description:
      'JEDEC 16 Gb DDR5-4800AN x8 DIMM (16 GiB): 2 sub-channels of 32 bits (4 devices each), 1 rank, 8 bank groups x 4 banks, BL16; ' +
      'sub-channel and bank-group interleaved mapping; IDD currents estimated (see README)',
    memspec: 'memspec/JEDEC_16Gb_DDR5-4800AN_8bit.json',
    addressmapping: 'addressmapping/am_ddr5_2x4x16Gbx8_dimm_p1KB_rbcg.json',
    clkMhz: 800,
  },
  'ddr5-6400': {
    description:
      'JEDEC 16 Gb DDR5-6400AN x8 DIMM (16 GiB), organised as ddr5-4800; timings derived from JEDEC values in ns, currents those of ddr5-4800 (estimated)',
    memspec: 'memspec/JEDEC_16Gb_DDR5-6400AN_8bit.json',
    addressmapping: 'addressmapping/am_ddr5_2x4x16Gbx8_dimm_p1KB_rbcg.json',
    clkMhz: 800,
  },
  'lpddr4-3200': {
    description: 'JEDEC 8 Gb LPDDR4-3200 x16 (1 GiB), one channel, 1 rank, 8 banks, BL16; bank-row-column mapping',
    memspec: 'memspec/JEDEC_8Gb_LPDDR4-3200_16bit.json',
    addressmapping: 'addressmapping/am_lpddr4_8Gbx16_brc.json',
    clkMhz: 800,
  },
  'lpddr5-6400': {
    description: 'JEDEC 16 Gb LPDDR5-6400 x16 (2 GiB), one channel, 1 rank, 4 bank groups x 4 banks, BL16, WCK:CK 4:1; estimated currents; row-bank-column mapping with bank groups interleaved',
    memspec: 'memspec/JEDEC_16Gbx16_LPDDR5-6400_BG.json',
    addressmapping: 'addressmapping/am_lpddr5_16Gbx16_rbc.json',
    clkMhz: 800,
  },
  hbm2: {
    description: "DRAMSys's HBM2 channel (2 Gb/s): 2 pseudo-channels x 4 bank groups x 4 banks, 1 GiB; bank-row-column mapping, pseudo-channel on top; currents estimated",
    memspec: 'memspec/HBM2.json',
    addressmapping: 'addressmapping/am_hbm2_8Gb_pc_brc.json',
    clkMhz: 1000,
  },
  'hbm2-stack': {
    description: 'HBM2 stack (2 Gb/s): 8 channels x 2 pseudo-channels, 8 GiB; channels interleaved every 64 B, row-bank-column within; currents estimated',
    memspec: 'memspec/HBM2_8ch_8GiB.json',
    addressmapping: 'addressmapping/am_hbm2_8ch_8Gb_pc_rbc.json',
    clkMhz: 1000,
  },
  'hbm3-6400': {
    description: 'HBM3-6400 stack, 16 Gb dies 8-high: 16 channels x 2 pseudo-channels x 2 stack IDs x 4 bank groups x 4 banks, 16 GiB; channels interleaved every 64 B; Ramulator 2 timings, currents estimated',
    memspec: 'memspec/JEDEC_HBM3-6400_16Gb_8H.json',
    addressmapping: 'addressmapping/am_hbm3_16ch_16Gb_8H_rbc.json',
    clkMhz: 1600,
  },
};

/** Address mappings by name: each device preset's own, plus alternatives. */
export const ADDRESSMAPPING_PRESETS: Readonly<Record<string, string>> = {
  'ddr3-1600': 'addressmapping/am_ddr3_8x1Gbx8_dimm_p1KB_rbc.json',
  'ddr3-1600-rbc': 'addressmapping/am_ddr3_8x1Gbx8_dimm_p1KB_rbc.json',
  'ddr3-1600-brc': 'addressmapping/am_ddr3_8x1Gbx8_dimm_p1KB_brc.json',
  'ddr4-2400': 'addressmapping/am_ddr4_8x4Gbx8_dimm_p1KB_brc.json',
  'ddr4-2400-brc': 'addressmapping/am_ddr4_8x4Gbx8_dimm_p1KB_brc.json',
  'ddr4-2400-rbc': 'addressmapping/am_ddr4_8x4Gbx8_dimm_p1KB_rbc.json',
  'ddr5-4800': 'addressmapping/am_ddr5_2x4x16Gbx8_dimm_p1KB_rbcg.json',
  'ddr5-4800-rbcg': 'addressmapping/am_ddr5_2x4x16Gbx8_dimm_p1KB_rbcg.json',
  'ddr5-4800-brc': 'addressmapping/am_ddr5_2x4x16Gbx8_dimm_p1KB_brc.json',
  'ddr5-6400': 'addressmapping/am_ddr5_2x4x16Gbx8_dimm_p1KB_rbcg.json',
  'lpddr4-3200': 'addressmapping/am_lpddr4_8Gbx16_brc.json',
  'lpddr5-6400': 'addressmapping/am_lpddr5_16Gbx16_rbc.json',
  'lpddr5-6400-rbc': 'addressmapping/am_lpddr5_16Gbx16_rbc.json',
  'lpddr5-6400-brc': 'addressmapping/am_lpddr5_16Gbx16_brc.json',
  hbm2: 'addressmapping/am_hbm2_8Gb_pc_brc.json',
  'hbm2-stack': 'addressmapping/am_hbm2_8ch_8Gb_pc_rbc.json',
  'hbm3-6400': 'addressmapping/am_hbm3_16ch_16Gb_8H_rbc.json',
};

export const MCCONFIG_PRESETS: Readonly<Record<string, string>> = {
  reference: 'mcconfig/reference.json',
  'fr-fcfs': 'mcconfig/fr_fcfs.json',
};

function looksLikePath(s: string): boolean {
  return s.includes('/') || s.includes('\\') || s.endsWith('.json');
}

function unknownName(kind: string, name: string, known: Record<string, unknown>): InputError {
  return new InputError(`${kind} "${name}": not a preset (${Object.keys(known).join(', ')}) and not a .json file path`);
}

/** A memspec by preset name or file path. */
export function loadMemSpec(nameOrPath: string): MemSpec {
  const preset = MEMSPEC_PRESETS[nameOrPath];
  if (preset) return parseMemSpec(readJsonFile(join(PRESETS_DIR, preset.memspec)), nameOrPath);
  if (!looksLikePath(nameOrPath)) throw unknownName('memspec', nameOrPath, MEMSPEC_PRESETS);
  return parseMemSpec(readJsonFile(nameOrPath), nameOrPath);
}

/** An address mapping by preset name or file path. */
export function loadAddressMapping(nameOrPath: string): AddressMapping {
  const preset = ADDRESSMAPPING_PRESETS[nameOrPath];
  if (preset) return parseAddressMapping(readJsonFile(join(PRESETS_DIR, preset)), nameOrPath);
  if (!looksLikePath(nameOrPath)) throw unknownName('addressmapping', nameOrPath, ADDRESSMAPPING_PRESETS);
  return parseAddressMapping(readJsonFile(nameOrPath), nameOrPath);
}

/** The default address mapping for a memspec given by preset name, if it is one. */
export function defaultMappingFor(memspecName: string): string | null {
  return MEMSPEC_PRESETS[memspecName] ? memspecName : null;
}

/** A controller config by preset name or file path; missing keys take the reference defaults. */
export function loadMcConfig(nameOrPath: string): McConfig {
  const preset = MCCONFIG_PRESETS[nameOrPath];
  if (preset) return parseMcConfig(readJsonFile(join(PRESETS_DIR, preset)), nameOrPath, DEFAULT_MCCONFIG);
  if (!looksLikePath(nameOrPath)) throw unknownName('mcconfig', nameOrPath, MCCONFIG_PRESETS);
  return parseMcConfig(readJsonFile(nameOrPath), nameOrPath, DEFAULT_MCCONFIG);
}
