/** DRAMSys config formats: memspecs of three generations, address mappings, mcconfigs, and their errors. */
import { describe, expect, it } from 'vitest';
import { AddressDecoder, parseAddressMapping, type DecodedAddress } from '../../simulators/dram/address-mapping.js';
import { DEFAULT_MCCONFIG, mcConfigToJson, parseMcConfig, withOverrides } from '../../simulators/dram/mcconfig.js';
import { parseMemSpec } from '../../simulators/dram/memspec.js';
import { loadMcConfig } from '../../simulators/dram/presets.js';
import { ddr3, ddr3Mapping, ddr4, ddr4Mapping } from '../helpers.js';

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

describe('memspec', () => {
  it('reads the ddr3-1600 preset: geometry, timing in cycles, currents in mA', () => {
    expect(ddr3.memoryId).toBe('MICRON_1Gb_DDR3-1600_8bit_G');
    expect(ddr3.capacityBytes).toBe(2 ** 30);
    expect(ddr3.bytesPerBurst).toBe(64);
    expect(ddr3.tCkNs).toBeCloseTo(1.25, 12);
    expect(ddr3.timing).toMatchObject({ RCD: 10, RP: 10, RAS: 28, RC: 38, RL: 10, WL: 8, CCD_S: 4, CCD_L: 4, FAW: 24, RFC: 88, REFI: 6240, BURST: 4 });
    expect(ddr3.rails.map((r) => r.name)).toEqual(['VDD']);
    expect(ddr3.rails[0].voltage).toBe(1.5);
    expect(ddr3.rails[0].currents).toMatchObject({ idd0: 70, idd2n: 45, idd3n: 45, idd4r: 140, idd5: 170, idd6: 8, idd2p: 12, idd3p: 35 });
  });

  it('reads the ddr4-2400 preset with bank groups and the VPP domain', () => {
    expect(ddr4.bankGroups).toBe(4);
    expect(ddr4.banksPerGroup).toBe(4);
    expect(ddr4.capacityBytes).toBe(2 ** 32);
    expect(ddr4.timing).toMatchObject({ CCD_S: 4, CCD_L: 6, RRD_S: 4, RRD_L: 6, WTR_S: 3, WTR_L: 9, RFC: 312, REFI: 9360 });
    expect(ddr4.rails.map((r) => r.name)).toEqual(['VDD', 'VPP']);
    expect(ddr4.rails[1].voltage).toBe(2.5);
    expect(ddr4.rails[1].currents.idd0).toBeCloseTo(4.05, 9);
  });

  it('reads the older DRAMSys formats (tCK in ps or clkMhz, currents in mA, nbrOfDevicesOnDIMM) the same', () => {
    const doc = clone(ddr3.json) as { memspec: Record<string, Record<string, unknown>> };
    const ps = clone(doc);
    ps.memspec.memtimingspec.tCK = 1250;
    for (const [k, v] of Object.entries(ps.memspec.mempowerspec)) if (k.startsWith('i')) ps.memspec.mempowerspec[k] = (v as number) * 1000;
    const old = clone(ps);
    delete old.memspec.memtimingspec.tCK;
    old.memspec.memtimingspec.clkMhz = 800;
    old.memspec.memarchitecturespec.nbrOfDevicesOnDIMM = 8;
    delete old.memspec.memarchitecturespec.nbrOfDevices;
    for (const d of [ps, old]) {
      const s = parseMemSpec(d, 'x.json');
      expect(s.timing).toEqual(ddr3.timing);
      expect(s.devices).toBe(8);
      expect(s.rails[0].voltage).toBe(ddr3.rails[0].voltage);
      for (const [k, v] of Object.entries(ddr3.rails[0].currents)) {
        if (typeof v === 'number') expect((s.rails[0].currents as unknown as Record<string, number>)[k]).toBeCloseTo(v, 9);
      }
    }
  });

  it('DDR4 RefMode (in memarchitecturespec, as DRAMSys reads it) selects tREFI and RFC1/2/4', () => {
    const doc = clone(ddr4.json) as { memspec: Record<string, Record<string, unknown>> };
    doc.memspec.memarchitecturespec.RefMode = 2;
    expect(parseMemSpec(doc, 'x.json').timing).toMatchObject({ REFI: 4680, RFC: 192 });
    doc.memspec.memarchitecturespec.RefMode = 4;
    // The per-bank refresh time of the preset is longer than a RefMode 4 all-bank refresh.
    expect(() => parseMemSpec(doc, 'x.json')).toThrow('x.json: memspec.memtimingspec.RFCPB: RFCPB (156) exceeds RFC (132)');
    delete doc.memspec.memtimingspec.RFCPB;
    expect(parseMemSpec(doc, 'x.json').timing).toMatchObject({ REFI: 2340, RFC: 132 });
    doc.memspec.memarchitecturespec.RefMode = 3;
    expect(() => parseMemSpec(doc, 'x.json')).toThrow('x.json: memspec.memarchitecturespec.RefMode: expected 1, 2 or 4, got 3');
  });

  const bad: Array<[string, (d: { memspec: Record<string, Record<string, unknown>> }) => void, RegExp]> = [
    ['tRC below tRAS + tRP', (d) => (d.memspec.memtimingspec.RC = 20), /x\.json: memspec\.memtimingspec\.RC: RC \(20\) is less than RAS \+ RP \(38\)/],
    ['a missing timing', (d) => delete d.memspec.memtimingspec.RCD, /memspec\.memtimingspec\.RCD: missing/],
    ['an unknown timing', (d) => (d.memspec.memtimingspec.RCDD = 3), /memspec\.memtimingspec\.RCDD: unknown DDR3 timing parameter/],
    ['a non-integer cycle count', (d) => (d.memspec.memtimingspec.RP = 'ten'), /memspec\.memtimingspec\.RP: expected a non-negative integer, got "ten"/],
    ['an unknown memory type', (d) => ((d.memspec as Record<string, unknown>).memoryType = 'DDR9'), /memspec\.memoryType: expected one of DDR3, DDR4(, \w+)*, got "DDR9"/],
    ['banks not a power of two', (d) => (d.memspec.memarchitecturespec.nbrOfBanks = 6), /nbrOfBanks: must be a power of two, got 6/],
    ['IDD0 below IDD3N', (d) => (d.memspec.mempowerspec.idd0 = 0.01), /mempowerspec\.idd0: idd0 \(10 mA\) is below idd3n/],
    // Sizes are refused before anything is allocated by them (2^30 banks once took 8.5 GB and 29 s).
    ['2^30 banks', (d) => (d.memspec.memarchitecturespec.nbrOfBanks = 2 ** 30), /nbrOfBanks: 1073741824 is beyond any DRAM device \(at most 256\)/],
    ['2^40 rows', (d) => (d.memspec.memarchitecturespec.nbrOfRows = 2 ** 40), /nbrOfRows: 1099511627776 is beyond any DRAM device/],
    ['a supply of 1e308 V', (d) => (d.memspec.mempowerspec.vdd = 1e308), /mempowerspec\.vdd: 1e\+308 V is outside 0–10 V/],
    ['a current of 20 A', (d) => (d.memspec.mempowerspec.idd6 = 20_000), /mempowerspec\.idd6: 20000 mA is outside 0–10,000 mA per device/],
  ];
  for (const [what, edit, message] of bad) {
    it(`rejects ${what} with one line naming the key`, () => {
      const doc = clone(ddr3.json) as { memspec: Record<string, Record<string, unknown>> };
      edit(doc);
      expect(() => parseMemSpec(doc, 'x.json')).toThrow(message);
    });
  }
});

describe('address mapping', () => {
  const out: DecodedAddress = { channel: 0, rank: 0, bankGroup: 0, bank: 0, row: 0, column: 0 };
  it('decodes row-bank-column on ddr3-1600', () => {
    const d = new AddressDecoder(ddr3Mapping, ddr3);
    d.decode(0x3fff_ffc0, out);
    expect(out).toEqual({ channel: 0, rank: 0, bankGroup: 0, bank: 7, row: 16383, column: 1016 });
    d.decode((5 << 16) | (3 << 13) | (17 << 3), out);
    expect(out).toEqual({ channel: 0, rank: 0, bankGroup: 0, bank: 3, row: 5, column: 17 });
  });

  it('decodes bank groups on ddr4-2400, above 2^31', () => {
    const d = new AddressDecoder(ddr4Mapping, ddr4);
    // bank-group bits 28-29, bank bits 30-31, row 13-27
    d.decode(2 ** 31 + 2 ** 30 + 2 ** 29 + 7 * 2 ** 13 + 64, out);
    expect(out).toEqual({ channel: 0, rank: 0, bankGroup: 2, bank: 2 * 4 + 3, row: 7, column: 8 });
  });

  it('applies XOR entries, in both the current and the older format', () => {
    const current = parseAddressMapping(
      { addressmapping: { BYTE_BIT: [0, 1, 2], COLUMN_BIT: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12], BANK_BIT: [[13, 16], 14, 15], ROW_BIT: [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29] } },
      'xor.json',
    );
    const older = parseAddressMapping(
      { CONGEN: { BYTE_BIT: [0, 1, 2], COLUMN_BIT: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12], BANK_BIT: [13, 14, 15], ROW_BIT: [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29], XOR: [{ FIRST: 13, SECOND: 16 }] } },
      'xor-old.json',
    );
    for (const m of [current, older]) {
      const d = new AddressDecoder(m, ddr3);
      d.decode(1 << 16, out); // row 1, bank bit 0 flipped by the row's bit 0
      expect(out.bank).toBe(1);
      expect(out.row).toBe(1);
    }
  });

  it('rejects a mapping that skips an address bit or does not match the memspec', () => {
    expect(() => parseAddressMapping({ addressmapping: { BYTE_BIT: [0, 1, 2], COLUMN_BIT: [4, 5] } }, 'gap.json')).toThrow(
      'gap.json: addressmapping: address bit 3 is not mapped',
    );
    const m = parseAddressMapping({ addressmapping: { BYTE_BIT: [0, 1, 2], COLUMN_BIT: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12], BANK_BIT: [13, 14], ROW_BIT: Array.from({ length: 14 }, (_, i) => 15 + i) } }, 'small.json');
    expect(() => new AddressDecoder(m, ddr3)).toThrow(/BANK_BIT has 2 bits \(4 banks\) but memspec MICRON_1Gb_DDR3-1600_8bit_G has 8 banks/);
    expect(() => parseAddressMapping({ addressmapping: { ROW_BITS: [0] } }, 'typo.json')).toThrow(/typo\.json: addressmapping\.ROW_BITS: unknown field/);
    // A bit XORed with itself is always 0, so two addresses would share a location.
    expect(() => parseAddressMapping({ addressmapping: { BYTE_BIT: [0], BANK_BIT: [[1, 1]] } }, 'alias.json')).toThrow('alias.json: addressmapping.BANK_BIT[0]: an address bit is listed twice');
    expect(() => parseAddressMapping({ addressmapping: { BYTE_BIT: [0] }, CONGEN: { BYTE_BIT: [0] } }, 'both.json')).toThrow('both.json: holds both "addressmapping" and "CONGEN"');
  });
});

describe('mcconfig', () => {
  it('fills unspecified keys with the reference defaults and round-trips', () => {
    const cfg = parseMcConfig({ mcconfig: { Scheduler: 'FrFcfs', RequestBufferSize: 8 } }, 'mc.json');
    expect(cfg).toEqual({ ...DEFAULT_MCCONFIG, Scheduler: 'FrFcfs', RequestBufferSize: 8 });
    expect(parseMcConfig(mcConfigToJson(cfg), 'again.json')).toEqual(cfg);
  });

  it('reads the DRAMSys fr_fcfs preset, and old value names', () => {
    expect(loadMcConfig('fr-fcfs')).toMatchObject({ Scheduler: 'FrFcfs', RequestBufferSize: 8, RefreshPolicy: 'AllBank', MaxActiveTransactions: 128 });
    expect(parseMcConfig({ mcconfig: { RefreshPolicy: 'Rankwise' } }, 'old.json').RefreshPolicy).toBe('AllBank');
  });

  it('rejects unknown keys and values with one line naming the key', () => {
    expect(() => parseMcConfig({ mcconfig: { Schedular: 'Fifo' } }, 'mc.json')).toThrow(/^mc\.json: mcconfig\.Schedular: unknown mcconfig key/);
    expect(() => parseMcConfig({ mcconfig: { PagePolicy: 'Sometimes' } }, 'mc.json')).toThrow(
      'mc.json: mcconfig.PagePolicy: unknown value "Sometimes" (expected one of Open, OpenAdaptive, Closed, ClosedAdaptive)',
    );
    expect(() => withOverrides(DEFAULT_MCCONFIG, { RequestBufferSize: '0' }, '--set ')).toThrow('--set RequestBufferSize: expected an integer ≥ 1, got "0"');
  });
});
