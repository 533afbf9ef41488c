/**
 * DRAMSys address mappings: which bits of a byte address select the byte, column, bank group, bank,
 * row and rank. Accepts DRAMSys's current format (`"addressmapping"`, an entry may be a list of bits
 * that are XORed together) and the older one (`"CONGEN"` with a separate `"XOR"` list of
 * `{FIRST, SECOND}` pairs).
 */
import { InputError } from '../../common/errors.js';
import type { MemSpec } from './memspec.js';

export const MAPPING_FIELDS = [
  'BYTE_BIT',
  'BURST_BIT',
  'COLUMN_BIT',
  'BANKGROUP_BIT',
  'BANK_BIT',
  'ROW_BIT',
  'RANK_BIT',
  'CHANNEL_BIT',
  'PSEUDOCHANNEL_BIT',
  'STACK_BIT',
] as const;
export type MappingField = (typeof MAPPING_FIELDS)[number];

/** One output bit: the XOR of one or more address bits (the first is the bit's home). */
export type BitEntry = number[];

/** An address mapping in DRAMSys's terms: for each field, its bits from least significant up. */
export interface AddressMapping {
  readonly name: string;
  readonly fields: Readonly<Partial<Record<MappingField, readonly BitEntry[]>>>;
}

/** Where a request goes, as decoded from its address. Bank and bank group count across the channel's ranks. */
export interface DecodedAddress {
  channel: number;
  rank: number;
  bankGroup: number;
  bank: number;
  row: number;
  column: number;
}

function describe(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? s.slice(0, 40) + '…' : s;
}

/**
 * Parses an address-mapping document (the object from a DRAMSys JSON file). `where` names the
 * file for error messages.
 */
export function parseAddressMapping(doc: unknown, where: string, name = where): AddressMapping {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new InputError(`${where}: expected a JSON object with an "addressmapping" key`);
  }
  const top = doc as Record<string, unknown>;
  if ('addressmapping' in top && 'CONGEN' in top) throw new InputError(`${where}: holds both "addressmapping" and "CONGEN": give one`);
  const key = 'addressmapping' in top ? 'addressmapping' : 'CONGEN' in top ? 'CONGEN' : null;
  const body = key ? top[key] : top;
  const prefix = key ?? 'addressmapping';
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InputError(`${where}: ${prefix}: expected an object`);
  }
  const fields: Partial<Record<MappingField, BitEntry[]>> = {};
  let xorPairs: Array<{ first: number; second: number }> = [];
  const isBit = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 53;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (k === 'XOR') {
      if (!Array.isArray(v)) throw new InputError(`${where}: ${prefix}.XOR: expected a list of {"FIRST", "SECOND"} pairs`);
      xorPairs = v.map((p, i) => {
        const pair = p as Record<string, unknown>;
        if (typeof p !== 'object' || p === null || !isBit(pair.FIRST) || !isBit(pair.SECOND)) {
          throw new InputError(`${where}: ${prefix}.XOR[${i}]: expected {"FIRST": bit, "SECOND": bit}, got ${describe(p)}`);
        }
        return { first: pair.FIRST as number, second: pair.SECOND as number };
      });
      continue;
    }
    if (k === 'SOLUTION' || k === 'NAME') continue; // old CONGEN metadata
    if (!(MAPPING_FIELDS as readonly string[]).includes(k)) {
      throw new InputError(`${where}: ${prefix}.${k}: unknown field (known: ${MAPPING_FIELDS.join(', ')}, XOR)`);
    }
    if (!Array.isArray(v)) throw new InputError(`${where}: ${prefix}.${k}: expected a list of address bits`);
    fields[k as MappingField] = v.map((e, i) => {
      const entry = Array.isArray(e) ? e : [e];
      if (entry.length === 0 || !entry.every(isBit)) {
        throw new InputError(`${where}: ${prefix}.${k}[${i}]: expected an address bit 0-52 or a list of them, got ${describe(e)}`);
      }
      // A bit XORed with itself is always 0: addresses would alias.
      if (new Set(entry).size !== entry.length) throw new InputError(`${where}: ${prefix}.${k}[${i}]: an address bit is listed twice in ${describe(e)}`);
      return entry as number[];
    });
  }
  // Old-style XOR pairs fold into the entry whose home bit is FIRST.
  for (const { first, second } of xorPairs) {
    let found = false;
    for (const list of Object.values(fields)) {
      for (const entry of list ?? []) {
        if (entry[0] === first) {
          entry.push(second);
          found = true;
        }
      }
    }
    if (!found) throw new InputError(`${where}: ${prefix}.XOR: FIRST bit ${first} is not used by any field`);
  }
  // Every address bit from 0 to the highest is the home of exactly one output bit.
  const homes = new Map<number, string>();
  for (const [k, list] of Object.entries(fields)) {
    for (const entry of list ?? []) {
      const other = homes.get(entry[0]);
      if (other) throw new InputError(`${where}: ${prefix}: address bit ${entry[0]} is used by both ${other} and ${k}`);
      homes.set(entry[0], k);
    }
  }
  const highest = Math.max(-1, ...homes.keys());
  for (let b = 0; b <= highest; b++) {
    if (!homes.has(b)) throw new InputError(`${where}: ${prefix}: address bit ${b} is not mapped (every bit up to ${highest} must be)`);
  }
  for (const list of Object.values(fields)) {
    for (const entry of list ?? []) {
      for (const b of entry.slice(1)) {
        if (b > highest) throw new InputError(`${where}: ${prefix}: XOR bit ${b} is above the highest mapped bit ${highest}`);
      }
    }
  }
  for (const [k, list] of Object.entries(fields)) {
    if ((list?.length ?? 0) > 30) throw new InputError(`${where}: ${prefix}.${k}: more than 30 bits`);
  }
  return { name, fields };
}

/** Serialises a mapping in DRAMSys's current format. */
export function addressMappingToJson(m: AddressMapping): { addressmapping: Record<string, Array<number | number[]>> } {
  const out: Record<string, Array<number | number[]>> = {};
  for (const k of MAPPING_FIELDS) {
    const list = m.fields[k];
    if (list && list.length > 0) out[k] = list.map((e) => (e.length === 1 ? e[0] : [...e]));
  }
  return { addressmapping: out };
}

const TWO32 = 4294967296;

/** A contiguous run of address bits copied into a field: value |= ((word >>> shift) & mask) << dst. */
interface Segment {
  word: 0 | 1;
  shift: number;
  mask: number;
  /** 2^(destination bit). */
  scale: number;
}

interface CompiledField {
  segments: Segment[];
  /** Output bits with XOR partners: dst bit ^= parity of these address bits. */
  xors: Array<{ dst: number; bits: number[] }>;
}

function compileField(entries: readonly BitEntry[] | undefined): CompiledField {
  const segments: Segment[] = [];
  const xors: Array<{ dst: number; bits: number[] }> = [];
  const list = entries ?? [];
  let i = 0;
  while (i < list.length) {
    const start = list[i][0];
    const word: 0 | 1 = start >= 32 ? 1 : 0;
    let len = 1;
    // Extend while the next home bit is the next address bit in the same 32-bit word.
    while (
      len < 30 &&
      i + len < list.length &&
      list[i + len][0] === start + len &&
      (start + len >= 32 ? 1 : 0) === word
    ) len++;
    segments.push({ word, shift: start - word * 32, mask: len >= 31 ? 0x7fffffff : (1 << len) - 1, scale: 2 ** i });
    i += len;
  }
  list.forEach((e, dst) => {
    if (e.length > 1) xors.push({ dst, bits: e.slice(1) });
  });
  return { segments, xors };
}

function readField(f: CompiledField, lo: number, hi: number): number {
  let v = 0;
  const segs = f.segments;
  for (let s = 0; s < segs.length; s++) {
    const g = segs[s];
    v += (((g.word === 0 ? lo : hi) >>> g.shift) & g.mask) * g.scale;
  }
  for (let x = 0; x < f.xors.length; x++) {
    const { dst, bits } = f.xors[x];
    let p = 0;
    for (const b of bits) p ^= b >= 32 ? (hi >>> (b - 32)) & 1 : (lo >>> b) & 1;
    if (p) v ^= 1 << dst;
  }
  return v;
}

/** Decodes addresses against one memspec; build once per simulation. */
export class AddressDecoder {
  readonly capacityBytes: number;
  private readonly column: CompiledField;
  private readonly bankGroup: CompiledField;
  private readonly bank: CompiledField;
  private readonly row: CompiledField;
  private readonly rank: CompiledField;
  private readonly channel: CompiledField;
  private readonly banksPerGroup: number;
  private readonly groupsPerRank: number;
  private readonly banksPerRank: number;

  constructor(readonly mapping: AddressMapping, spec: MemSpec) {
    const f = mapping.fields;
    const bits = (k: MappingField): number => f[k]?.length ?? 0;
    const where = `address mapping ${mapping.name}`;
    const expect = (k: MappingField, count: number, what: string): void => {
      if (2 ** bits(k) !== count) {
        throw new InputError(`${where}: ${k} has ${bits(k)} bits (${2 ** bits(k)} ${what}) but memspec ${spec.memoryId} has ${count} ${what}`);
      }
    };
    const byteBits = Math.log2((spec.width * spec.devices) / 8);
    if (bits('BYTE_BIT') + bits('BURST_BIT') < byteBits) {
      throw new InputError(`${where}: BYTE_BIT has ${bits('BYTE_BIT')} bits but a ${spec.width * spec.devices}-bit data bus needs ${byteBits}`);
    }
    const columnsPerBeat = bits('BURST_BIT') > 0 ? 2 ** (bits('BYTE_BIT') + bits('BURST_BIT') - byteBits) : 1;
    expect('COLUMN_BIT', spec.columns / columnsPerBeat, 'columns');
    expect('ROW_BIT', spec.rows, 'rows');
    // HBM's pseudo-channels are ranks (as DRAMSys models them): PSEUDOCHANNEL_BIT below RANK_BIT.
    if (2 ** (bits('RANK_BIT') + bits('PSEUDOCHANNEL_BIT')) !== spec.ranks) {
      const given = bits('PSEUDOCHANNEL_BIT') > 0 ? `RANK_BIT and PSEUDOCHANNEL_BIT have ${bits('RANK_BIT') + bits('PSEUDOCHANNEL_BIT')} bits` : `RANK_BIT has ${bits('RANK_BIT')} bits`;
      throw new InputError(`${where}: ${given} (${2 ** (bits('RANK_BIT') + bits('PSEUDOCHANNEL_BIT'))} ranks) but memspec ${spec.memoryId} has ${spec.ranks} ranks`);
    }
    expect('CHANNEL_BIT', spec.channels, 'channels');
    // HBM's stack IDs: STACK_BIT selects the upper bank groups of a rank (as DRAMSys numbers them).
    expect('STACK_BIT', spec.stacks, 'stacks');
    if (spec.bankGroups > 1) {
      expect('BANKGROUP_BIT', spec.bankGroups / spec.stacks, spec.stacks > 1 ? 'bank groups per stack' : 'bank groups');
      expect('BANK_BIT', spec.banksPerGroup, 'banks per group');
    } else {
      if (bits('BANKGROUP_BIT') > 0) throw new InputError(`${where}: BANKGROUP_BIT given but ${spec.memoryType} has no bank groups`);
      expect('BANK_BIT', spec.banks, 'banks');
    }
    const total = MAPPING_FIELDS.reduce((s, k) => s + bits(k), 0);
    this.capacityBytes = 2 ** total;
    this.column = compileField(f.COLUMN_BIT);
    this.bankGroup = compileField([...(f.BANKGROUP_BIT ?? []), ...(f.STACK_BIT ?? [])]);
    this.bank = compileField(f.BANK_BIT);
    this.row = compileField(f.ROW_BIT);
    this.rank = compileField([...(f.PSEUDOCHANNEL_BIT ?? []), ...(f.RANK_BIT ?? [])]);
    this.channel = compileField(f.CHANNEL_BIT);
    this.banksPerGroup = spec.banksPerGroup;
    this.groupsPerRank = spec.bankGroups;
    this.banksPerRank = spec.banks;
    // The low column bits select the beat within a burst; the simulator addresses whole bursts.
    void columnsPerBeat;
  }

  /** Decodes `address` into `out` (no allocation). The address must be below `capacityBytes`. */
  decode(address: number, out: DecodedAddress): void {
    // ToUint32 is the address modulo 2^32 for any integer below 2^53, without a floating-point remainder.
    const lo = address >>> 0;
    const hi = (address - lo) / TWO32;
    const rank = readField(this.rank, lo, hi);
    const bankInGroup = readField(this.bank, lo, hi);
    const group = this.groupsPerRank > 1 ? readField(this.bankGroup, lo, hi) : 0;
    out.channel = readField(this.channel, lo, hi);
    out.rank = rank;
    out.bankGroup = rank * this.groupsPerRank + group;
    out.bank = rank * this.banksPerRank + group * this.banksPerGroup + bankInGroup;
    out.row = readField(this.row, lo, hi);
    out.column = readField(this.column, lo, hi);
  }
}
