/**
 * The parallel coordinates' redraw time in Chromium, by the number of axes: 10,000 evaluations of
 * the `wide` space (13 parameters) against a synthetic space of 35 parameters in seven subsystems
 * (strings and numbers, up to 20 values). For each it times, over several repetitions, the chart's
 * first drawing (its default axes) and a redraw with every axis shown ("all parameters": axes,
 * bundles counted anew, drawn), and prints the medians (and the fastest redraw, the least disturbed
 * by other work on a shared machine).
 *
 *   node dist/bench/dashboard.js [--web DIR] [--evaluations N] [--repeat N] [--shots DIR]
 *
 * `--web` draws with another copy of the page's files (an earlier version, to compare); `--shots`
 * saves a screenshot of each chart. Headless Chromium at /usr/bin/chromium, in a 1280-pixel-wide
 * window. Not part of `npm test`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { packageRoot } from '../simulators/dram/presets.js';
import { loadSpace } from '../src/space/builtin.js';
import { d3Path, webRoot } from '../src/server/static.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const web = arg('web', webRoot());
const evaluations = Number(arg('evaluations', '10000'));
const repeat = Number(arg('repeat', '9'));
const shots = process.argv.includes('--shots') ? arg('shots', '') : null;
const ORIGIN = 'http://marl-dse.bench';

interface SpaceParameter {
  name: string;
  subsystem: string;
  values: Array<string | number>;
}

const range = (n: number, f: (i: number) => string | number): Array<string | number> => Array.from({ length: n }, (_, i) => f(i));

/** 35 parameters in seven subsystems, two of them new to the simulator (the page knows none by name). */
const LARGE: SpaceParameter[] = [
  ...['Scheduler', 'SchedulerBuffer', 'RequestBufferSize', 'RequestBufferSizeRead', 'RequestBufferSizeWrite', 'CmdMux', 'HighWatermark', 'LowWatermark'].map((name, k) => ({
    name,
    subsystem: 'scheduling',
    values: k === 0 ? ['Fifo', 'FrFcfs', 'FrFcfsGrp', 'GrpFrFcfs', 'GrpFrFcfsWm'] : range(k === 2 ? 16 : 4 + k, (i) => 2 ** i),
  })),
  { name: 'PagePolicy', subsystem: 'page', values: ['Open', 'OpenAdaptive', 'Closed', 'ClosedAdaptive'] },
  { name: 'PageTimeout', subsystem: 'page', values: range(10, (i) => i * 50) },
  ...['RefreshPolicy', 'RefreshMaxPostponed', 'RefreshMaxPulledin', 'RefreshInterval', 'RefreshGranularity'].map((name, k) => ({
    name,
    subsystem: 'refresh',
    values: k === 0 ? ['NoRefresh', 'AllBank', 'PerBank', 'SameBank', 'Per2Bank'] : range(k === 3 ? 12 : 5, (i) => i),
  })),
  ...['PowerDownPolicy', 'PowerDownTimeout', 'SelfRefreshTimeout'].map((name, k) => ({
    name,
    subsystem: 'power-down',
    values: k === 0 ? ['NoPowerDown', 'Staggered'] : range(8, (i) => 16 * i),
  })),
  ...['RespQueue', 'Arbiter', 'MaxActiveTransactions', 'ArbitrationDelayFw', 'ArbitrationDelayBw', 'ThinkDelayFw', 'ThinkDelayBw', 'PhyDelayFw'].map((name, k) => ({
    name,
    subsystem: 'transport',
    values: k === 0 ? ['Fifo', 'Reorder'] : k === 1 ? ['Simple', 'Fifo', 'Reorder'] : range(k === 2 ? 20 : 4, (i) => (k === 2 ? 2 ** i : i)),
  })),
  ...['Channels', 'Ranks', 'BankGroups', 'BanksPerGroup', 'DeviceWidth'].map((name, k) => ({
    name,
    subsystem: 'organisation',
    values: k === 4 ? ['x4', 'x8', 'x16'] : range(3 + k, (i) => 2 ** i),
  })),
  ...['AddressMapping', 'BankXor', 'ChannelInterleave', 'RowBits'].map((name, k) => ({
    name,
    subsystem: 'address-mapping',
    values: k === 0 ? ['RoBaRaCoCh', 'RoRaBaChCo', 'ChRaBaRoCo', 'RoBaBgRaCoCh', 'RoCoBaRaCh', 'BaRoCoRaCh', 'RaBaRoCoCh', 'ChRoBaRaCo', 'RoChBaRaCo', 'CoRoBaRaCh', 'RoBaRaChCo', 'BgRoBaRaCo'] : range(2 + 2 * k, (i) => i),
  })),
];

const WIDE: SpaceParameter[] = loadSpace('wide').parameters.map((p) => ({ name: p.name, subsystem: p.subsystem, values: [...p.values] }));

const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html' };
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="/style.css"><script src="/vendor/d3.min.js"></script></head>
<body><main style="display:block"><section class="card wide"><div id="parallel" class="chart"></div></section></main></body></html>`;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const profile = mkdtempSync(join(tmpdir(), 'marl-dse-bench-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 1000 },
    timeout: 60_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const report: Record<string, unknown> = { web, evaluations, repeat, window: '1280 × 1000' };
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await page.route(`${ORIGIN}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/bench.html') return route.fulfill({ body: PAGE, contentType: 'text/html' });
      const file = path === '/vendor/d3.min.js' ? d3Path() : join(web, path);
      return route.fulfill({ body: readFileSync(file), contentType: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
    });
    await page.goto(`${ORIGIN}/bench.html`);
    for (const [name, parameters] of [
      ['wide (13 parameters)', WIDE],
      ['35 parameters', LARGE],
    ] as const) {
      const times = await page.evaluate(
        async ({ parameters, evaluations, repeat }) => {
          const data = await import('/data.js' as string);
          const { parallelChart } = await import('/charts/parallel.js' as string);
          // Seeded designs (mulberry32), the reward a function of the first two parameters.
          let a = 7;
          const rand = (): number => {
            a = (a + 0x6d2b79f5) >>> 0;
            let t = Math.imul(a ^ (a >>> 15), a | 1);
            t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
            return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
          };
          const events = Array.from({ length: evaluations }, (_, index) => {
            const design = parameters.map((p) => Math.floor(rand() * p.values.length));
            const value = 1000 * (1 + design[0] + design[1] / 2 + rand());
            return {
              index,
              design,
              config: Object.fromEntries(parameters.map((p, k) => [p.name, p.values[design[k]]])),
              value,
              reward: -Math.log(value / 3000),
              best: value,
              simulated: true,
              powerMw: 1000,
              latencyNs: value,
              avgLatencyNs: value / 4,
              energyPj: value * 1000,
              bandwidthGBps: 1,
            };
          });
          const info = { id: 1, status: 'finished', agent: 'random', trace: 'builtin:cloud-1', objective: 'latency', direction: 'min', unit: 'ns', target: null, seed: 1, budget: evaluations, evaluations, bestValue: null, bestIndex: null, createdAt: '', updatedAt: '', wallSeconds: 1 };
          const state = data.runFromSnapshot({ run: info, space: { name: 'bench', parameters, base: {} }, evaluations: events, agentStats: [] }, 1);
          const runs = [{ id: 1, color: '#4e79a7', state }];
          // The page's globals (this file is compiled without the DOM's types).
          interface Element {
            querySelector(selector: string): Element;
            replaceChildren(): void;
            click(): void;
          }
          const page = globalThis as unknown as { document: Element; localStorage: { clear(): void }; requestAnimationFrame(f: () => void): number };
          const container = page.document.querySelector('#parallel');
          const first: number[] = [];
          const all: number[] = [];
          let axes = 0;
          for (let k = 0; k < repeat; k++) {
            page.localStorage.clear();
            container.replaceChildren();
            const t0 = performance.now();
            const chart = parallelChart(container, { onBrush: () => {} });
            chart.update(runs);
            const t1 = performance.now();
            container.querySelector('.axis-actions button[data-action="all"]').click();
            const t2 = performance.now();
            first.push(t1 - t0);
            all.push(t2 - t1);
            axes = chart.axes().length - 1;
            // Let the browser paint between repetitions.
            await new Promise((r) => page.requestAnimationFrame(() => setTimeout(r, 30)));
          }
          return { first, all, axes };
        },
        { parameters, evaluations, repeat },
      );
      if (shots) {
        mkdirSync(shots, { recursive: true });
        await page.locator('#parallel').screenshot({ path: join(shots, `parallel-${times.axes}.png`) });
      }
      const ms = (t: number): number => Number(t.toFixed(1));
      const figures = {
        axesShownByAll: times.axes,
        firstDrawMsMedian: ms(median(times.first)),
        redrawWithEveryAxisMsMedian: ms(median(times.all)),
        // The fastest repetition: the least disturbed by other work on a shared machine.
        redrawWithEveryAxisMsMin: ms(Math.min(...times.all)),
        redrawWithEveryAxisMs: times.all.map(ms),
      };
      report[name] = figures;
      console.log(`${name}: ${JSON.stringify(figures)}`);
    }
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  const out = join(packageRoot(), 'bench-results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'dashboard-parallel.json'), JSON.stringify(report, null, 2) + '\n');
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
