/**
 * A memory system's organisation and address mapping as an architect chooses them: the same
 * devices in more or fewer channels and ranks (`reorganise`), and an address mapping built from a
 * field order, an interleaving granularity and XOR bank hashing (`buildAddressMapping`). Every
 * mapping built here is a bijection by construction: each address bit is the home of exactly one
 * field bit, and XOR partners are row bits, which are themselves never hashed.
 */
import { InputError } from '../../common/errors.js';
import { type AddressMapping, type BitEntry, type MappingField, parseAddressMapping } from './address-mapping.js';
import type { JsonObject } from './json.js';
import { type MemSpec, parseMemSpec } from './memspec.js';

/** The memspec's devices in `channels` channels of `ranks` ranks (HBM: pseudo-channels) each. */
export function reorganise(spec: MemSpec, channels: number, ranks: number): MemSpec {
  if (channels === spec.channels && ranks === spec.ranks) return spec;
  const allowed = spec.standard.organisation.ranks;
  if (!allowed.includes(ranks)) {
    throw new InputError(`memspec ${spec.memoryId}: ${spec.memoryType} channels have ${allowed.join(' or ')} ranks, not ${ranks}`);
  }
  const doc = structuredClone(spec.json) as { memspec: JsonObject };
  const arch = doc.memspec.memarchitecturespec as Record<string, unknown>;
  arch.nbrOfChannels = channels;
  if (arch.nbrOfPseudoChannels !== undefined) arch.nbrOfPseudoChannels = ranks;
  else arch.nbrOfRanks = ranks;
  // DDR5 names its ranks twice more (per DIMM and physical).
  for (const k of ['nbrOfDIMMRanks', 'nbrOfPhysicalRanks']) if (arch[k] !== undefined) arch[k] = ranks;
  return parseMemSpec(doc, `memspec ${spec.memoryId} in ${channels} channels x ${ranks} ranks`);
}

/** The fields a mapping order arranges, most significant first in an order string. */
export const ORDER_FIELDS = ['Ro', 'Ra', 'Bg', 'Ba', 'Co', 'Ch'] as const;
export type OrderField = (typeof ORDER_FIELDS)[number];
/** The fields whose bits may be XORed with a row bit. */
export const HASHED_FIELDS = ['Ch', 'Bg', 'Ba'] as const;
export type HashedField = (typeof HASHED_FIELDS)[number];

export interface MappingRecipe {
  /** The six fields, most significant first, e.g. "RoRaBgBaCoCh" (row on top, channel lowest). */
  readonly order: string;
  /**
   * Column bits (above those a burst covers) kept at the bottom, below every ordered field: 0
   * interleaves the lowest ordered field at burst granularity, k keeps 2^k bursts together.
   */
  readonly columnLow: number;
  /** Per hashed field, per bit from the least significant: the row bit (index within the row) it is XORed with, or null. */
  readonly xor: Readonly<Partial<Record<HashedField, ReadonlyArray<number | null>>>>;
}

/** Parses an order string ("RoRaBgBaCoCh"): each of the six fields exactly once. */
export function parseOrder(order: string, where: string): OrderField[] {
  const fields = order.match(/[A-Z][a-z]/g) ?? [];
  const ok = fields.join('') === order && fields.length === ORDER_FIELDS.length && ORDER_FIELDS.every((f) => fields.includes(f));
  if (!ok) throw new InputError(`${where}: "${order}" is not an order of the fields ${ORDER_FIELDS.join(', ')} (each once, most significant first, e.g. RoRaBgBaCoCh)`);
  return fields as OrderField[];
}

/** How many address bits each part of an address takes in a memory. */
export interface FieldBits {
  byte: number;
  /** Column bits a burst covers (always the lowest column bits). */
  burst: number;
  /** Column bits above the burst. */
  column: number;
  row: number;
  rank: number;
  channel: number;
  bankGroup: number;
  stack: number;
  bank: number;
}

export function fieldBits(spec: MemSpec): FieldBits {
  const columnBits = Math.log2(spec.columns);
  const burst = Math.min(columnBits, Math.log2(spec.burstLength));
  return {
    byte: Math.log2((spec.width * spec.devices) / 8),
    burst,
    column: columnBits - burst,
    row: Math.log2(spec.rows),
    rank: Math.log2(spec.ranks),
    channel: Math.log2(spec.channels),
    bankGroup: spec.bankGroups > 1 ? Math.log2(spec.bankGroups / spec.stacks) : 0,
    stack: Math.log2(spec.stacks),
    bank: Math.log2(spec.bankGroups > 1 ? spec.banksPerGroup : spec.banks),
  };
}

/** How many bits a hashed field has in a memory (the XOR choices beyond them do not exist). */
export function hashedBits(bits: FieldBits, field: HashedField): number {
  return field === 'Ch' ? bits.channel : field === 'Bg' ? bits.bankGroup : bits.bank;
}

/** Builds the address mapping a recipe describes for a memory. */
export function buildAddressMapping(spec: MemSpec, recipe: MappingRecipe, name: string): AddressMapping {
  const where = `address mapping ${name}`;
  const order = parseOrder(recipe.order, where);
  const bits = fieldBits(spec);
  if (!Number.isInteger(recipe.columnLow) || recipe.columnLow < 0 || recipe.columnLow > bits.column) {
    throw new InputError(`${where}: ${recipe.columnLow} low column bits, but ${spec.memoryId} has ${bits.column} column bits above a burst`);
  }
  const fields: Partial<Record<MappingField, number[][]>> = {};
  let next = 0;
  const take = (field: MappingField, count: number): void => {
    const list = (fields[field] ??= []);
    for (let i = 0; i < count; i++) list.push([next++]);
  };
  take('BYTE_BIT', bits.byte);
  take('COLUMN_BIT', bits.burst + recipe.columnLow);
  // HBM memspecs that name pseudo-channels get them as such in DRAMSys's mapping.
  const arch = (spec.json.memspec as JsonObject).memarchitecturespec as JsonObject;
  const rankField: MappingField = arch.nbrOfPseudoChannels !== undefined ? 'PSEUDOCHANNEL_BIT' : 'RANK_BIT';
  for (const f of [...order].reverse()) {
    if (f === 'Co') take('COLUMN_BIT', bits.column - recipe.columnLow);
    else if (f === 'Ro') take('ROW_BIT', bits.row);
    else if (f === 'Ra') take(rankField, bits.rank);
    else if (f === 'Ch') take('CHANNEL_BIT', bits.channel);
    else if (f === 'Ba') take('BANK_BIT', bits.bank);
    else {
      take('BANKGROUP_BIT', bits.bankGroup);
      take('STACK_BIT', bits.stack);
    }
  }
  const target: Record<HashedField, MappingField> = { Ch: 'CHANNEL_BIT', Bg: 'BANKGROUP_BIT', Ba: 'BANK_BIT' };
  for (const h of HASHED_FIELDS) {
    (recipe.xor[h] ?? []).forEach((rowBit, i) => {
      if (rowBit === null) return;
      const entry: BitEntry | undefined = fields[target[h]]?.[i];
      if (!entry) throw new InputError(`${where}: Xor${h}${i}: ${spec.memoryId} has ${hashedBits(bits, h)} ${h === 'Ch' ? 'channel' : h === 'Bg' ? 'bank-group' : 'bank'} bits`);
      if (!Number.isInteger(rowBit) || rowBit < 0 || rowBit >= bits.row) throw new InputError(`${where}: Xor${h}${i}: row bit ${rowBit} is not one of the ${bits.row} row bits`);
      entry.push(fields.ROW_BIT![rowBit][0]);
    });
  }
  // Through the parser, so the result holds every invariant a mapping file must.
  return parseAddressMapping({ addressmapping: Object.fromEntries(Object.entries(fields).filter(([, l]) => l.length > 0)) }, where, name);
}
