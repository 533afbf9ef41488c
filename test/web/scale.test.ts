/**
 * The dashboard at scale, in Chromium: 20 runs of 1,500 evaluations (30,000 in all), then 20 of
 * 5,000 (100,000). For each it reports, in test-artifacts/dashboard-scale.json and on the console,
 * how long the page takes from opening to every design drawn, how long drawing every chart anew from
 * what the page holds takes, how fast a brush on the parallel coordinates redraws, how many DOM
 * nodes the page has and how much JavaScript heap it uses. Times are reported, never asserted (the
 * machine is shared). What is asserted is what the page shows: every design in the scatter and the
 * parallel coordinates, a bundle per pair of neighbouring values that occurs, a brush on one value
 * keeping exactly the designs with that value (in the selection and the trial table), the DOM the
 * same size at 30,000 and 100,000, and the parameters the synthetic metrics depend on found most
 * important.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardServer, startServer } from '../../src/server/server.js';
import { loadSpace } from '../../src/space/builtin.js';
import { groupedAxes } from '../../web/data.js';
import { RunStore } from '../../src/store/store.js';
import { STATS } from '../src/store/fixtures.js';
import { launchChromium, newRun, ROOT, skipBrowser, tempDir } from './fixtures.js';

const ARTIFACTS = join(ROOT, 'test-artifacts');
const RUNS = 20;
const SIZES = [1500, 5000] as const;

const space = loadSpace('reference');
const param = (name: string): number => space.parameters.findIndex((p) => p.name === name);

/** A seeded generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A run's designs: uniformly random; latency depends on the scheduler and the buffer size, power on
 * the page policy (and a little noise), so the importance view has a known answer.
 */
function designs(seed: number, n: number): number[][] {
  const rand = random(seed);
  return Array.from({ length: n }, () => space.parameters.map((p) => Math.floor(rand() * p.values.length)));
}
function latencyOf(d: number[], noise: number): number {
  return 55_000 * (1 + 0.9 * d[param('Scheduler')] + 0.15 * (7 - d[param('RequestBufferSize')])) * (1 + 0.01 * noise);
}
function powerOf(d: number[], noise: number): number {
  return 2_000 * (1 + 0.6 * d[param('PagePolicy')]) * (1 + 0.01 * noise);
}

interface RunData {
  id: number;
  designs: number[][];
}

/** 20 runs of `n` evaluations each, half on latency and half on power. */
function writeRuns(store: RunStore, n: number, seed: number): RunData[] {
  const out: RunData[] = [];
  for (let r = 0; r < RUNS; r++) {
    const objective = r % 2 ? 'power' : 'latency';
    const id = store.createRun(newRun({ agent: ['marl', 'ppo', 'sac', 'ga', 'random'][r % 5], objective, budget: n, seed: seed + r, target: null }));
    const ds = designs(seed * 100 + r, n);
    const rand = random(seed * 1000 + r);
    let best = Infinity;
    const batch = [];
    for (let i = 0; i < n; i++) {
      const d = ds[i];
      const latency = latencyOf(d, rand());
      const power = powerOf(d, rand());
      const value = objective === 'latency' ? latency : power;
      best = Math.min(best, value);
      batch.push({
        index: i,
        design: d,
        config: Object.fromEntries(space.parameters.map((p, k) => [p.name, p.values[d[k]]])),
        stats: { ...STATS, totalTimeNs: latency, averagePowerMw: power, avgLatencyNs: latency / 4, energyPj: (latency * power) / 1000 },
        value,
        reward: -Math.log(value / (objective === 'latency' ? 110_000 : 3_000)),
        best,
        agentMs: 0,
        simulated: true,
      });
      if (batch.length === 1000) store.appendEvaluations(id, batch.splice(0));
      if (i % 100 === 99) store.appendAgentStats(id, i + 1, { policyLoss: 1 / (1 + i), entropy: 2 - i / n, updates: Math.floor(i / 100) });
    }
    store.appendEvaluations(id, batch);
    store.setStatus(id, 'finished', { bestValue: best, bestIndex: 0, evaluationsToTarget: null, simulations: n, wallSeconds: 1 });
    out.push({ id, designs: ds });
  }
  return out;
}

const dir = tempDir('scale');
const db = join(dir, 'runs.sqlite');
let context: BrowserContext;
let browser: Awaited<ReturnType<typeof launchChromium>> | null = null;
let server: DashboardServer;
const runsBySize = new Map<number, RunData[]>();

beforeAll(async () => {
  if (skipBrowser) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  const store = RunStore.open(db);
  SIZES.forEach((n, k) => runsBySize.set(n, writeRuns(store, n, k + 1)));
  store.close();
  server = await startServer({ db, port: 0 });
  browser = await launchChromium();
  context = browser.context;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

type Dashboard = {
  metrics: { maxFrameMs: number; brushFrameMs: number[]; evaluationsApplied: number; evaluationsPerSecond: number };
  redrawAll(): number;
  scatterPoints(): number;
  parallelLines(): number;
  parallelBundles(): number[];
  parallelAxes(): string[];
  selection(): Record<string, number[]> | null;
  bestPanels(): Array<{ objective: string; label: string }>;
  importance(): { names: string[]; results: Array<{ key: string; share: number[] }>; busy: boolean };
  trialRows(): number;
  columnBytes(): number;
};
const dash = <T>(page: Page, f: (d: Dashboard) => T): Promise<T> => page.evaluate(`(${f.toString()})(window.__dashboard)`) as Promise<T>;

/** The page's JavaScript heap after a garbage collection, in MB. */
async function heapMb(page: Page): Promise<number> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  return Number(((metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 2 ** 20).toFixed(1));
}

/** An axis's x and its top and bottom, in page pixels (scrolled into view: mouse events reach only what is shown). */
async function axisAt(page: Page, axis: string): Promise<{ x: number; top: number; bottom: number }> {
  await page.locator('#parallel svg').scrollIntoViewIfNeeded();
  const line = (await page.locator(`#parallel g.pc-axis[data-name="${axis}"] path.domain`).boundingBox())!;
  return { x: line.x + line.width / 2, top: line.y, bottom: line.y + line.height };
}

/** The centre of an axis's tick for `value`, and the axis's x, in page pixels. */
async function tickAt(page: Page, axis: string, value: string): Promise<{ x: number; y: number }> {
  const at = await axisAt(page, axis);
  const tick = (await page.locator(`#parallel g.pc-axis[data-name="${axis}"] g.tick`, { hasText: new RegExp(`^${value}$`) }).locator('line').boundingBox())!;
  return { x: at.x, y: tick.y + tick.height / 2 };
}

const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))] ?? NaN;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const report: Record<string, unknown> = {};

describe.skipIf(skipBrowser)('dashboard at 30,000 and 100,000 evaluations (Chromium)', () => {
  for (const n of SIZES) {
    const total = n * RUNS;
    it(`${total.toLocaleString('en-US')} evaluations over ${RUNS} runs: all drawn, brushing keeps the right designs (times reported)`, async () => {
      const runs = runsBySize.get(n)!;
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });

      // ---- opening on the runs: everything drawn ----
      const t0 = Date.now();
      await page.goto(`${server.url}#runs=${runs.map((r) => r.id).join(',')}`);
      // Every run is finished: the header's rate must read 0 throughout, however much the page loads.
      const rates: number[] = [];
      for (;;) {
        const { drawn, rate } = await dash(page, (d) => ({ drawn: Math.min(d.scatterPoints(), d.parallelLines()), rate: d.metrics.evaluationsPerSecond }));
        rates.push(rate);
        if (drawn === total) break;
        if (Date.now() - t0 > 120_000) throw new Error(`not drawn after 120 s: ${drawn}`);
        await page.waitForTimeout(50);
      }
      const loadMs = Date.now() - t0;
      await page.waitForTimeout(1200);
      rates.push(await dash(page, (d) => d.metrics.evaluationsPerSecond));
      expect(Math.max(...rates)).toBe(0);
      const loadMaxFrameMs = await dash(page, (d) => d.metrics.maxFrameMs);
      // Every chart anew from the model, synchronously: the cost of drawing, without the network.
      const redrawMs: number[] = [];
      for (let k = 0; k < 3; k++) redrawMs.push(await dash(page, (d) => d.redrawAll()));
      expect(await dash(page, (d) => d.scatterPoints())).toBe(total);
      expect(await dash(page, (d) => d.parallelLines())).toBe(total);
      expect(await dash(page, (d) => d.trialRows())).toBe(total);
      // One panel per objective, each labelled with its unit.
      expect((await dash(page, (d) => d.bestPanels())).map((p) => p.label)).toEqual(['best latency (ns)', 'best power (mW)']);

      // A bundle per pair of neighbouring values that occurs (between parameters; the reward axis is binned by the page).
      const axes = await dash(page, (d) => d.parallelAxes());
      expect(axes).toEqual([...groupedAxes(space.parameters.map((p) => ({ ...p, values: [...p.values] }))).map((a) => a.name), 'reward']);
      const pairs = axes.slice(0, -2).map((a, j) => {
        const seen = new Set<string>();
        for (const r of runs) for (const d of r.designs) seen.add(`${d[param(a)]}:${d[param(axes[j + 1])]}`);
        return seen.size;
      });
      const bundles = await dash(page, (d) => d.parallelBundles());
      expect(bundles.slice(0, -1)).toEqual(pairs);
      // The last parameter against the reward: at most one bundle per value and reward bin.
      expect(bundles[bundles.length - 1]).toBeGreaterThan(0);
      expect(bundles[bundles.length - 1]).toBeLessThanOrEqual(space.parameters[param(axes[axes.length - 2])].values.length * 48);

      // ---- brushing: long drags along a parameter's axis and along the reward's, timed frame by frame ----
      /** Drags from the top of an axis to its bottom in 60 steps; the page's frame times while it did. */
      const drag = async (axis: string): Promise<{ dragMs: number; frames: number[] }> => {
        await dash(page, (d) => (d.metrics.brushFrameMs.length = 0));
        const at = await axisAt(page, axis);
        await page.mouse.move(at.x, at.top + 2);
        await page.mouse.down();
        const b0 = Date.now();
        for (let s = 1; s <= steps; s++) await page.mouse.move(at.x, at.top + 2 + ((at.bottom - at.top - 4) * s) / steps);
        await page.mouse.up();
        const dragMs = Date.now() - b0;
        await page.waitForTimeout(100);
        const frames = await dash(page, (d) => [...d.metrics.brushFrameMs]);
        await page.locator('#parallel button.pc-clear').click();
        await page.waitForFunction(() => (window as unknown as { __dashboard: Dashboard }).__dashboard.selection() === null, null, { timeout: 10_000 });
        return { dragMs, frames };
      };
      const steps = 60;
      const onParameter = await drag('RequestBufferSize');
      const onReward = await drag('reward');
      expect(onParameter.frames.length).toBeGreaterThan(0);
      expect(onReward.frames.length).toBeGreaterThan(0);
      const figuresOf = ({ dragMs, frames }: { dragMs: number; frames: number[] }) => ({
        dragMs,
        framesDrawn: frames.length,
        framesPerSecond: Number(((frames.length * 1000) / dragMs).toFixed(1)),
        frameMsMedian: Number(median(frames).toFixed(1)),
        frameMsP95: Number(p95(frames).toFixed(1)),
        framesPerSecondAtP95FrameTime: Number((1000 / p95(frames)).toFixed(1)),
      });

      // ---- a brush around one value keeps exactly the designs with that value ----
      const fr = await tickAt(page, 'Scheduler', 'FrFcfs');
      await page.mouse.move(fr.x, fr.y - 8);
      await page.mouse.down();
      await page.mouse.move(fr.x, fr.y + 8, { steps: 4 });
      await page.mouse.up();
      const scheduler = param('Scheduler');
      const frFcfs = space.parameters[scheduler].values.indexOf('FrFcfs');
      const expected = Object.fromEntries(runs.map((r) => [String(r.id), r.designs.flatMap((d, i) => (d[scheduler] === frFcfs ? [i] : []))]));
      await page.waitForFunction((want) => {
        const s = (window as unknown as { __dashboard: Dashboard }).__dashboard.selection();
        return s !== null && Object.values(s).reduce((a, xs) => a + xs.length, 0) === want;
      }, Object.values(expected).reduce((a, xs) => a + xs.length, 0), { timeout: 10_000 });
      expect(await dash(page, (d) => d.selection())).toEqual(expected);
      // The trial table follows the brush.
      const kept = Object.values(expected).reduce((a, xs) => a + xs.length, 0);
      await page.waitForFunction((want) => (window as unknown as { __dashboard: Dashboard }).__dashboard.trialRows() === want, kept, { timeout: 10_000 });

      // ---- importance: the synthetic metrics' parameters come first ----
      await page.waitForFunction(() => {
        const i = (window as unknown as { __dashboard: Dashboard }).__dashboard.importance();
        return i.results.length === 2 && !i.busy;
      }, null, { timeout: 120_000 });
      const imp = await dash(page, (d) => d.importance());
      const top = (key: string, k: number): string[] => {
        const r = imp.results.find((x) => x.key === key)!;
        return imp.names.map((name, p) => ({ name, s: r.share[p] })).sort((a, b) => b.s - a.s).slice(0, k).map((e) => e.name).sort();
      };
      expect(top('latencyNs', 2)).toEqual(['RequestBufferSize', 'Scheduler']);
      expect(top('powerMw', 1)).toEqual(['PagePolicy']);

      const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
      const heap = await heapMb(page);
      const figures = {
        runs: RUNS,
        evaluations: total,
        openToAllDrawnMs: loadMs,
        longestFrameWhileLoadingMs: Math.round(loadMaxFrameMs),
        redrawAllChartsMs: { median: Math.round(median(redrawMs)), all: redrawMs.map(Math.round) },
        brushAlongAParameter: { steps, ...figuresOf(onParameter) },
        brushAlongTheReward: { steps, ...figuresOf(onReward) },
        parallelBundles: bundles.reduce((a, b) => a + b, 0),
        domNodes,
        jsHeapMb: heap,
        runColumnsMb: Number(((await dash(page, (d) => d.columnBytes())) / 2 ** 20).toFixed(1)),
      };
      report[String(total)] = figures;
      console.log(`dashboard scale: ${JSON.stringify(figures)}`);
      writeFileSync(join(ARTIFACTS, 'dashboard-scale.json'), JSON.stringify(report, null, 2) + '\n');
      await page.screenshot({ path: join(ARTIFACTS, `dashboard-scale-${total}.png`), fullPage: true });
      expect(problems).toEqual([]);
      await page.close();
    }, 300_000);
  }

  it('keeps the DOM the same size at 30,000 and 100,000 evaluations', () => {
    const [a, b] = SIZES.map((n) => (report[String(n * RUNS)] as { domNodes: number } | undefined)?.domNodes);
    expect(a).toBeDefined();
    // The same charts and one page of the trial table either way: only counts and labels differ.
    expect(Math.abs(b! - a!)).toBeLessThan(50);
  });
});
