import { describe, expect, it } from 'vitest';
import { AddressDecoder, type DecodedAddress } from '../../simulators/dram/address-mapping.js';
import { parseMemSpec, type MemSpec } from '../../simulators/dram/memspec.js';
import { buildAddressMapping, fieldBits, ORDER_FIELDS, reorganise } from '../../simulators/dram/organisation.js';
import { loadMemSpec, MEMSPEC_PRESETS } from '../../simulators/dram/presets.js';
import { makeRng, uniform01 } from '../../common/random.js';

/** A preset shrunk to a few rows and columns, so every burst address of it can be decoded. */
function tiny(preset: string, channels: number, ranks: number): MemSpec {
  const doc = structuredClone(loadMemSpec(preset).json) as { memspec: { memarchitecturespec: Record<string, unknown> } };
  doc.memspec.memarchitecturespec.nbrOfRows = 8;
  doc.memspec.memarchitecturespec.nbrOfColumns = Math.max(64, 4 * (doc.memspec.memarchitecturespec.burstLength as number));
  return reorganise(parseMemSpec(doc, `tiny ${preset}`), channels, ranks);
}

function permutations(items: readonly string[]): string[] {
  if (items.length <= 1) return [...items];
  return items.flatMap((f, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((r) => f + r));
}

describe('memory organisation', () => {
  it('reorganises a memory into channels and ranks, scaling its capacity and keeping its devices', () => {
    const ddr4 = loadMemSpec('ddr4-2400');
    const four = reorganise(ddr4, 2, 2);
    expect(four.channels).toBe(2);
    expect(four.ranks).toBe(2);
    expect(four.capacityBytes).toBe(ddr4.capacityBytes * 4);
    expect(four.timing).toEqual(ddr4.timing);
    expect(reorganise(ddr4, 1, 1)).toBe(ddr4);
    // HBM channels keep their two pseudo-channels; DDR5 names its DIMM ranks too.
    expect(() => reorganise(loadMemSpec('hbm3-6400'), 16, 1)).toThrow(/HBM3 channels have 2 ranks, not 1/);
    const ddr5 = reorganise(loadMemSpec('ddr5-4800'), 4, 2);
    expect(ddr5.ranks).toBe(2);
    expect((ddr5.json.memspec as { memarchitecturespec: Record<string, number> }).memarchitecturespec.nbrOfDIMMRanks).toBe(2);
  });

  it('every field order, interleaving and XOR hashing gives a bijective mapping', () => {
    const rng = makeRng(7);
    const orders = permutations(ORDER_FIELDS);
    expect(orders).toHaveLength(720);
    for (const [preset, channels, ranks] of [['ddr4-2400', 2, 2], ['ddr3-1600', 4, 1], ['hbm2-stack', 8, 2], ['lpddr4-3200', 2, 2]] as const) {
      const spec = tiny(preset, channels, ranks);
      const bits = fieldBits(spec);
      const burstBytes = 2 ** (bits.byte + bits.burst);
      // Every 24th order with random interleaving and hashing: all 720 across the four memories.
      for (let o = ['ddr4-2400', 'ddr3-1600', 'hbm2-stack', 'lpddr4-3200'].indexOf(preset); o < 720; o += 4 * 6) {
        const pick = (n: number): number => Math.floor(uniform01(rng) * n);
        const xorOf = (n: number): Array<number | null> => Array.from({ length: n }, () => (pick(2) ? pick(bits.row) : null));
        const recipe = { order: orders[o], columnLow: pick(bits.column + 1), xor: { Ch: xorOf(bits.channel), Bg: xorOf(bits.bankGroup), Ba: xorOf(bits.bank) } };
        const decoder = new AddressDecoder(buildAddressMapping(spec, recipe, 'test'), spec);
        expect(decoder.capacityBytes).toBe(spec.capacityBytes);
        const seen = new Set<string>();
        const d: DecodedAddress = { channel: 0, rank: 0, bankGroup: 0, bank: 0, row: 0, column: 0 };
        for (let a = 0; a < spec.capacityBytes; a += burstBytes) {
          decoder.decode(a, d);
          seen.add(`${d.channel},${d.bank},${d.row},${d.column}`);
        }
        expect(seen.size, `${preset} ${JSON.stringify(recipe)}`).toBe(spec.capacityBytes / burstBytes);
      }
    }
  });

  it('places fields where the order says, the burst and the low column bits at the bottom', () => {
    const spec = loadMemSpec('ddr4-2400');
    const m = buildAddressMapping(reorganise(spec, 2, 2), { order: 'RoRaBgBaCoCh', columnLow: 2, xor: { Ba: [0, null] } }, 'test');
    // 8 bytes, then 3 burst + 2 low column bits, then channel, the other 5 column bits, banks, groups, rank, rows.
    expect(m.fields.BYTE_BIT).toEqual([[0], [1], [2]]);
    expect(m.fields.COLUMN_BIT!.map((e) => e[0])).toEqual([3, 4, 5, 6, 7, 9, 10, 11, 12, 13]);
    expect(m.fields.CHANNEL_BIT).toEqual([[8]]);
    expect(m.fields.BANK_BIT).toEqual([[14, 19], [15]]);
    expect(m.fields.BANKGROUP_BIT).toEqual([[16], [17]]);
    expect(m.fields.RANK_BIT).toEqual([[18]]);
    expect(m.fields.ROW_BIT![0]).toEqual([19]);
  });

  it('refuses a recipe the memory cannot have, naming it', () => {
    const ddr3 = loadMemSpec('ddr3-1600');
    expect(() => buildAddressMapping(ddr3, { order: 'RoRaBaCoCh', columnLow: 0, xor: {} }, 'x')).toThrow(/"RoRaBaCoCh" is not an order of the fields/);
    expect(() => buildAddressMapping(ddr3, { order: 'RoRaBgBaCoCh', columnLow: 9, xor: {} }, 'x')).toThrow(/9 low column bits, but .* has 7 column bits above a burst/);
    expect(() => buildAddressMapping(ddr3, { order: 'RoRaBgBaCoCh', columnLow: 0, xor: { Bg: [1] } }, 'x')).toThrow(/XorBg0: .* has 0 bank-group bits/);
    expect(() => buildAddressMapping(ddr3, { order: 'RoRaBgBaCoCh', columnLow: 0, xor: { Ba: [99] } }, 'x')).toThrow(/row bit 99 is not one of the 14 row bits/);
  });

  it('builds a mapping for every preset in its own organisation', () => {
    for (const name of Object.keys(MEMSPEC_PRESETS)) {
      const spec = loadMemSpec(name);
      const decoder = new AddressDecoder(buildAddressMapping(spec, { order: 'RoRaBgBaCoCh', columnLow: 0, xor: {} }, name), spec);
      expect(decoder.capacityBytes, name).toBe(spec.capacityBytes);
    }
  });
});
