/** The library entry, as programs and worker threads use it: `import { simulate } from 'marl-dse'`. */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MCCONFIG, loadAddressMapping, loadMemSpec, openTrace, simulate, withOverrides } from '../../src/index.js';

describe('library entry', () => {
  it('simulates deterministically, and identically in a worker thread importing the package by name', async () => {
    const spec = loadMemSpec('ddr3-1600');
    const mapping = loadAddressMapping('ddr3-1600');
    const cfg = withOverrides(DEFAULT_MCCONFIG, { Scheduler: 'FrFcfs', RequestBufferSize: 8 }, '');
    const here = simulate(openTrace('builtin:random'), spec, mapping, cfg);
    expect(simulate(openTrace('builtin:random'), spec, mapping, cfg)).toEqual(here);
    const worker = new Worker(
      `
      const { parentPort } = require('node:worker_threads');
      import('marl-dse').then((m) => {
        const cfg = m.withOverrides(m.DEFAULT_MCCONFIG, { Scheduler: 'FrFcfs', RequestBufferSize: 8 }, '');
        parentPort.postMessage(m.simulate(m.openTrace('builtin:random'), m.loadMemSpec('ddr3-1600'), m.loadAddressMapping('ddr3-1600'), cfg));
      });
      `,
      { eval: true },
    );
    const there = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(there).toEqual(here);
  });
});
