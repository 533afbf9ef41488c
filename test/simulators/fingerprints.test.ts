/**
 * Every number of a run, bit for bit: the SimStats and the command log of a fixed set of runs (every
 * preset; controllers from the reference one to every non-default policy at once; saturated,
 * unsaturated and bursty traces), each reduced to a SHA-256 that was recorded before the simulator's
 * speed work began. A change that only makes the simulator faster leaves every one of them alone; a
 * change that means to alter results updates them (`PRINT_FINGERPRINTS=1 npx vitest run
 * test/simulators/fingerprints.test.ts` prints the new table) and says why in its commit.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MCCONFIG, withOverrides } from '../../simulators/dram/mcconfig.js';
import { loadAddressMapping, loadMcConfig, loadMemSpec, MEMSPEC_PRESETS } from '../../simulators/dram/presets.js';
import { simulateWithCommands } from '../../simulators/dram/simulate.js';
import type { Trace } from '../../simulators/trace.js';
import { generateTrace } from '../../traces/generators.js';

const PRESETS = ['ddr3-1600', 'ddr4-2400', 'ddr5-4800', 'lpddr4-3200', 'lpddr5-6400', 'hbm2', 'hbm2-stack', 'hbm3-6400'];

/** Controllers: DRAMSys's two presets, and two that turn on what they leave off. */
const CONTROLLERS: Record<string, (refresh: string) => Record<string, unknown>> = {
  reference: () => ({}),
  'fr-fcfs': () => ({}),
  // Refresh of part of a rank, power-down with no timeout, strict in-order data, reordering arbiter and delays.
  busy: (refresh) => ({
    PagePolicy: 'ClosedAdaptive',
    Scheduler: 'GrpFrFcfsWm',
    SchedulerBuffer: 'ReadWrite',
    RequestBufferSize: 8,
    RequestBufferSizeRead: 6,
    RequestBufferSizeWrite: 3,
    CmdMux: 'Strict',
    RespQueue: 'Reorder',
    RefreshPolicy: refresh,
    RefreshMaxPostponed: 2,
    RefreshMaxPulledin: 2,
    PowerDownPolicy: 'Staggered',
    PowerDownTimeout: 0,
    Arbiter: 'Reorder',
    MaxActiveTransactions: 16,
    ArbitrationDelayFw: 1,
    ThinkDelayFw: 1.25,
    PhyDelayBw: 2,
  }),
  sleepy: () => ({
    PagePolicy: 'OpenAdaptive',
    Scheduler: 'FrFcfsGrp',
    SchedulerBuffer: 'Shared',
    RequestBufferSize: 16,
    RefreshPolicy: 'AllBank',
    RefreshMaxPostponed: 8,
    RefreshMaxPulledin: 8,
    PowerDownPolicy: 'Staggered',
    PowerDownTimeout: 12,
    Arbiter: 'Fifo',
    MaxActiveTransactions: 64,
  }),
};

/** Each preset's refresh of part of a rank. */
const BANK_REFRESH: Record<string, string> = {
  'ddr3-1600': 'PerBank',
  'ddr4-2400': 'PerBank',
  'ddr5-4800': 'SameBank',
  'lpddr4-3200': 'PerBank',
  'lpddr5-6400': 'Per2Bank',
  hbm2: 'PerBank',
  'hbm2-stack': 'PerBank',
  'hbm3-6400': 'PerBank',
};

const TRACES: Record<string, () => Trace> = {
  // Random lines, 70 % reads, a request every 4 player cycles: saturates some memories, not others.
  random: () => generateTrace('random', { requests: 3000, seed: 3, readShare: 0.7, rate: 0.25, footprintBytes: 2 ** 26 }),
  // Sequential reads, one a cycle.
  stream: () => generateTrace('stream', { requests: 3000, seed: 1, rate: 1 }),
  // Runs of sequential and random requests with exponential gaps (idle time for power-down and refresh).
  bursty: () => generateTrace('cloud-1', { requests: 3000, seed: 5, readShare: 0.6, gapDistribution: 'exponential', gapMeanCycles: 40, footprintBytes: 2 ** 26 }),
};

/** Each run's SHA-256 (first 16 hex digits), recorded before the speed work. */
const EXPECTED: Record<string, string> = {
  'ddr3-1600 reference random': '9cf037a4681bd627',
  'ddr3-1600 reference stream': 'd26d53c6df9a6fc3',
  'ddr3-1600 reference bursty': '80a563c0483464b3',
  'ddr3-1600 fr-fcfs random': 'bd5d3b4c0b791eeb',
  'ddr3-1600 fr-fcfs stream': '4e40c3f6ec3bb59e',
  'ddr3-1600 fr-fcfs bursty': '19a30d546e4671d8',
  'ddr3-1600 busy random': '48bcf3557fb524c1',
  'ddr3-1600 busy stream': '6a8a1a1b02e006c8',
  'ddr3-1600 busy bursty': '3f5a38299cc1136b',
  'ddr3-1600 sleepy random': '484ba25389b70fd5',
  'ddr3-1600 sleepy stream': 'cf0d10b3a86aee33',
  'ddr3-1600 sleepy bursty': 'b924543930a32e2a',
  'ddr4-2400 reference random': '34983e2da57d4863',
  'ddr4-2400 reference stream': '123e40cd7ae46294',
  'ddr4-2400 reference bursty': 'f6601729390ec60b',
  'ddr4-2400 fr-fcfs random': 'dd06d4cc888e9d7d',
  'ddr4-2400 fr-fcfs stream': '123e40cd7ae46294',
  'ddr4-2400 fr-fcfs bursty': 'c093b76a81f9068f',
  'ddr4-2400 busy random': '4d3059146a2394e7',
  'ddr4-2400 busy stream': 'd6de050b3fead784',
  'ddr4-2400 busy bursty': '7df5e2f197647ddd',
  'ddr4-2400 sleepy random': 'fa71adb5a5f1a12b',
  'ddr4-2400 sleepy stream': '872aa511225088ec',
  'ddr4-2400 sleepy bursty': 'ae19fe53c4ce0796',
  'ddr5-4800 reference random': '517314a27f326b69',
  'ddr5-4800 reference stream': '30d521ab04098b61',
  'ddr5-4800 reference bursty': '6a6820106baf0835',
  'ddr5-4800 fr-fcfs random': '8f4620d10de341ff',
  'ddr5-4800 fr-fcfs stream': '798719e78dcc3327',
  'ddr5-4800 fr-fcfs bursty': '1b8a0b5eb7758a47',
  'ddr5-4800 busy random': 'ac8bd53507422695',
  'ddr5-4800 busy stream': 'c08d75dffbddd7f3',
  'ddr5-4800 busy bursty': '1d83be2a8da70a70',
  'ddr5-4800 sleepy random': 'cc1db44c71836a57',
  'ddr5-4800 sleepy stream': 'cb640696e9caac7e',
  'ddr5-4800 sleepy bursty': 'cafc22f3597ebf91',
  'lpddr4-3200 reference random': '87cc3afb8ff46a30',
  'lpddr4-3200 reference stream': 'b37e67e951dace70',
  'lpddr4-3200 reference bursty': 'e6bc59c04e821d46',
  'lpddr4-3200 fr-fcfs random': '748a2014d161693c',
  'lpddr4-3200 fr-fcfs stream': 'b37e67e951dace70',
  'lpddr4-3200 fr-fcfs bursty': 'fa0b087c5e897bed',
  'lpddr4-3200 busy random': 'd23c18b137a2ae08',
  'lpddr4-3200 busy stream': 'bfbfd9ff542af6b7',
  'lpddr4-3200 busy bursty': '6dc71122b5c21314',
  'lpddr4-3200 sleepy random': '80a1c85c06b417a7',
  'lpddr4-3200 sleepy stream': 'ab1aa071a5cdf7c5',
  'lpddr4-3200 sleepy bursty': '833ff58413236ac6',
  'lpddr5-6400 reference random': '7a54d2be83714787',
  'lpddr5-6400 reference stream': '4cef50493e421f9e',
  'lpddr5-6400 reference bursty': '137d60bcfba33ab1',
  'lpddr5-6400 fr-fcfs random': '8bf1f767ba17db64',
  'lpddr5-6400 fr-fcfs stream': '7578f3346ab33fb3',
  'lpddr5-6400 fr-fcfs bursty': '77ce8b8984004fab',
  'lpddr5-6400 busy random': 'fbef1aa965175744',
  'lpddr5-6400 busy stream': 'bb34f3eb895df9ed',
  'lpddr5-6400 busy bursty': 'e18d4e79838deb85',
  'lpddr5-6400 sleepy random': '5d5b49d3d5e8b001',
  'lpddr5-6400 sleepy stream': '9a470345bf9be245',
  'lpddr5-6400 sleepy bursty': 'b00575cc5f590e6b',
  'hbm2 reference random': 'b410dcf5189a3514',
  'hbm2 reference stream': '7d0d601b266fd7ac',
  'hbm2 reference bursty': '5667edf9389c83df',
  'hbm2 fr-fcfs random': '82da9209e559be58',
  'hbm2 fr-fcfs stream': '957d60ce4e51823d',
  'hbm2 fr-fcfs bursty': '941e4c2536204f71',
  'hbm2 busy random': '32f25a05a46d6290',
  'hbm2 busy stream': '3dd9f5ed2fa4a60a',
  'hbm2 busy bursty': '7688a776142500f1',
  'hbm2 sleepy random': '6a59034d23528a21',
  'hbm2 sleepy stream': '57f4137a1db6f7d1',
  'hbm2 sleepy bursty': 'e042b4b551d1c318',
  'hbm2-stack reference random': '0f2e5f09a953588d',
  'hbm2-stack reference stream': 'a8366e481e4ae90a',
  'hbm2-stack reference bursty': '7684e2b2ef1c6bb0',
  'hbm2-stack fr-fcfs random': '3fedbf226d26248f',
  'hbm2-stack fr-fcfs stream': '0a61b87ce192d2dd',
  'hbm2-stack fr-fcfs bursty': '5d5f51163289c75f',
  'hbm2-stack busy random': '29fdfa627808b330',
  'hbm2-stack busy stream': '20cfb0b094f8a364',
  'hbm2-stack busy bursty': '3fee3a27b6656eab',
  'hbm2-stack sleepy random': '5c06f7f292737bf6',
  'hbm2-stack sleepy stream': '7ec53cc8a825a3e3',
  'hbm2-stack sleepy bursty': '5bdd0af363e0a3cd',
  'hbm3-6400 reference random': '1ae59817887e47ca',
  'hbm3-6400 reference stream': '13681b4693c19257',
  'hbm3-6400 reference bursty': '7c6d133ba4207f4b',
  'hbm3-6400 fr-fcfs random': '023664661926352e',
  'hbm3-6400 fr-fcfs stream': '18aea4a3e45f949c',
  'hbm3-6400 fr-fcfs bursty': '0efe7d732f62274d',
  'hbm3-6400 busy random': 'd81a0863b2848077',
  'hbm3-6400 busy stream': 'b7a6d4506abc83ef',
  'hbm3-6400 busy bursty': '9fb37f0de4db5f59',
  'hbm3-6400 sleepy random': '7f04417962fff3ed',
  'hbm3-6400 sleepy stream': 'a42d56347da0b362',
  'hbm3-6400 sleepy bursty': 'dcc09454cdb1aed9',
};

function fingerprint(preset: string, controller: string, traceName: string): string {
  const spec = loadMemSpec(preset);
  const base = controller === 'reference' || controller === 'fr-fcfs' ? loadMcConfig(controller) : DEFAULT_MCCONFIG;
  const cfg = withOverrides(base, CONTROLLERS[controller](BANK_REFRESH[preset]), 'test ');
  const run = simulateWithCommands(TRACES[traceName](), spec, loadAddressMapping(preset), cfg, { clkMhz: MEMSPEC_PRESETS[preset].clkMhz });
  const hash = createHash('sha256').update(JSON.stringify(run.stats));
  for (const log of run.channelCommands) {
    for (const a of [log.time, log.cmd, log.rank, log.bankGroup, log.bank, log.row, log.column]) hash.update(new Uint8Array(a.buffer, 0, log.length * a.BYTES_PER_ELEMENT));
  }
  return hash.digest('hex').slice(0, 16);
}

const CASES = PRESETS.flatMap((p) => Object.keys(CONTROLLERS).flatMap((c) => Object.keys(TRACES).map((t) => `${p} ${c} ${t}`)));

describe('results stay bit-identical', () => {
  if (process.env.PRINT_FINGERPRINTS) {
    it('prints the table', () => {
      for (const name of CASES) console.log(`  '${name}': '${fingerprint(...(name.split(' ') as [string, string, string]))}',`);
    });
    return;
  }
  for (const name of CASES) {
    it(name, () => {
      expect(fingerprint(...(name.split(' ') as [string, string, string]))).toBe(EXPECTED[name]);
    });
  }
});
