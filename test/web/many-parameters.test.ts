/**
 * The dashboard with many parameters, in Chromium at 1280 pixels wide. A real `marl-dse search` on a
 * space file of every searchable mcconfig key (23 parameters in five subsystems): the parallel
 * coordinates group their axes by subsystem (a band per subsystem, a gap between them), start with
 * 12 axes, show all 23 without any two labels overlapping, hide a subsystem's axes with its box,
 * and keep that choice across a reload and per space; the trial table gives each parameter a
 * column under its subsystem and holds its first columns when scrolled sideways. Then the chart
 * alone, on 35 parameters in subsystems the simulator does not have yet (organisation,
 * address-mapping and one no one has named): each is just another group.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardServer, startServer } from '../../src/server/server.js';
import { DEFAULT_SUBSYSTEM, loadSpaceFile } from '../../src/space/space.js';
import { RunStore } from '../../src/store/store.js';
import { CLI, evaluation, launchChromium, newRun, skipBrowser, tempDir } from './fixtures.js';

type Point = [number, number];
interface Label {
  text: string;
  corners: Point[];
}

/** Every non-empty text of the parallel coordinates as the four corners of its box on screen (turned with it). */
function labels(page: Page, root = '#parallel'): Promise<Label[]> {
  return page.evaluate((root) => {
    const out: Array<{ text: string; corners: Array<[number, number]> }> = [];
    for (const t of document.querySelectorAll<SVGTextElement>(`${root} svg text`)) {
      const text = [...t.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('');
      if (!text) continue;
      const b = t.getBBox();
      const m = t.getScreenCTM()!;
      const corners: Array<[number, number]> = [
        [b.x, b.y],
        [b.x + b.width, b.y],
        [b.x + b.width, b.y + b.height],
        [b.x, b.y + b.height],
      ].map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
      out.push({ text, corners });
    }
    return out;
  }, root);
}

/** Whether two convex quadrilaterals overlap by more than `slack` pixels (separating axis theorem). */
function overlap(a: Point[], b: Point[], slack = 0.5): boolean {
  for (const poly of [a, b]) {
    for (let k = 0; k < 4; k++) {
      const [x0, y0] = poly[k];
      const [x1, y1] = poly[(k + 1) % 4];
      const len = Math.hypot(x1 - x0, y1 - y0) || 1;
      const n: Point = [(y0 - y1) / len, (x1 - x0) / len];
      const project = (p: Point[]): [number, number] => {
        const d = p.map(([x, y]) => x * n[0] + y * n[1]);
        return [Math.min(...d), Math.max(...d)];
      };
      const [amin, amax] = project(a);
      const [bmin, bmax] = project(b);
      if (amax - slack <= bmin || bmax - slack <= amin) return false;
    }
  }
  return true;
}

/** The pairs of labels that overlap, and the labels that stick out of the chart. */
async function crowding(page: Page, root = '#parallel'): Promise<{ overlapping: string[]; outside: string[] }> {
  const all = await labels(page, root);
  const svg = (await page.locator(`${root} svg`).boundingBox())!;
  const overlapping: string[] = [];
  for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) if (overlap(all[i].corners, all[j].corners)) overlapping.push(`${all[i].text} / ${all[j].text}`);
  const outside = all.filter((l) => l.corners.some(([x, y]) => x < svg.x - 0.5 || x > svg.x + svg.width + 0.5 || y < svg.y - 0.5 || y > svg.y + svg.height + 0.5)).map((l) => l.text);
  return { overlapping, outside };
}

const axesShown = (page: Page): Promise<string[]> => page.evaluate(() => (window as unknown as { __dashboard: { parallelAxes(): string[] } }).__dashboard.parallelAxes());
/** Resolves when the parallel coordinates' axes (names, left to right) pass `f`. */
const untilAxes = (page: Page, f: (axes: string[]) => boolean): Promise<unknown> =>
  page.waitForFunction(`(${f.toString()})(window.__dashboard.parallelAxes())`, null, { timeout: 30_000, polling: 50 });

/** Each shown parameter's axis x, and each subsystem's band, from the SVG. */
function geometry(page: Page): Promise<{ axes: Array<{ name: string; x: number }>; bands: Array<{ group: string; from: number; to: number; label: string; title: string }> }> {
  return page.evaluate(() => ({
    axes: [...document.querySelectorAll('#parallel g.pc-axis')]
      .map((g) => ({ name: g.getAttribute('data-name')!, x: Number(/translate\(([-\d.]+)/.exec(g.getAttribute('transform')!)![1]) }))
      .filter((a) => a.name !== 'reward')
      .sort((a, b) => a.x - b.x),
    bands: [...document.querySelectorAll('#parallel g.pc-group')].map((g) => {
      const band = g.querySelector('rect.band')!;
      const x = Number(band.getAttribute('x'));
      const text = g.querySelector('text')!;
      return { group: g.getAttribute('data-group')!, from: x, to: x + Number(band.getAttribute('width')), label: text.firstChild?.textContent ?? '', title: text.querySelector('title')?.textContent ?? '' };
    }),
  }));
}

const dir = tempDir('many');
const db = join(dir, 'runs.sqlite');
const spaceFile = join(dir, 'every-key.json');
/** Every searchable key, the subsystems interleaved (the page groups them), some with 12 to 16 values;
 *  a parameter after those its masks read (the buffers before Scheduler). */
const SPACE = {
  name: 'every-key',
  parameters: [
    { name: 'PagePolicy', values: ['Open', 'OpenAdaptive', 'Closed', 'ClosedAdaptive'] },
    { name: 'SchedulerBuffer', values: ['Bankwise', 'ReadWrite', 'Shared'] },
    { name: 'RespQueue', values: ['Fifo', 'Reorder'] },
    { name: 'RefreshPolicy', values: ['NoRefresh', 'AllBank', 'PerBank'] },
    { name: 'RequestBufferSize', values: [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64] },
    { name: 'RequestBufferSizeRead', values: [4, 8, 16, 32] },
    { name: 'RequestBufferSizeWrite', values: [4, 8, 16, 32] },
    { name: 'Scheduler', values: ['Fifo', 'FrFcfs', 'FrFcfsGrp', 'GrpFrFcfs', 'GrpFrFcfsWm'] },
    { name: 'CmdMux', values: ['Oldest', 'Strict'] },
    { name: 'HighWatermark', values: [8, 12, 16] },
    { name: 'LowWatermark', values: [1, 2, 4] },
    { name: 'Arbiter', values: ['Simple', 'Fifo', 'Reorder'] },
    { name: 'MaxActiveTransactions', values: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768] },
    { name: 'ArbitrationDelayFw', values: [0, 1, 2] },
    { name: 'ArbitrationDelayBw', values: [0, 1, 2] },
    { name: 'ThinkDelayFw', values: [0, 1, 2] },
    { name: 'ThinkDelayBw', values: [0, 1, 2] },
    { name: 'PhyDelayFw', values: [0, 1, 2] },
    { name: 'PhyDelayBw', values: [0, 1, 2] },
    { name: 'RefreshMaxPostponed', values: [0, 1, 2, 4, 8] },
    { name: 'RefreshMaxPulledin', values: [0, 1, 2, 4, 8] },
    { name: 'PowerDownPolicy', values: ['NoPowerDown', 'Staggered'] },
    { name: 'PowerDownTimeout', values: [0, 16, 64, 256] },
  ],
};
const BUDGET = 120;

let browser: Awaited<ReturnType<typeof launchChromium>> | null = null;
let server: DashboardServer | null = null;

beforeAll(async () => {
  if (skipBrowser) return;
  writeFileSync(spaceFile, JSON.stringify(SPACE));
  const search = spawnSync(process.execPath, [CLI, 'search', '--agent', 'random', '--trace', 'builtin:cloud-1', '--objective', 'latency', '--budget', String(BUDGET), '--seed', '1', '--space', spaceFile, '--db', db], { encoding: 'utf8', timeout: 120_000 });
  if (search.status !== 0) throw new Error(`search failed: ${search.stderr}`);
  // A run of another space (the reference one), for the choice kept per space.
  const store = RunStore.open(db);
  const other = store.createRun(newRun({ agent: 'random', objective: 'latency' }));
  store.appendEvaluations(other, [0, 1, 2, 3].map((i) => evaluation(i)));
  store.close();
  server = await startServer({ db, port: 0 });
  browser = await launchChromium({ bypassCSP: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe.skipIf(skipBrowser)('the dashboard with many parameters (Chromium, 1280 pixels wide)', () => {
  it('groups 23 axes by subsystem, keeps their labels apart, hides a subsystem, and keeps the choice across a reload and per space', async () => {
    const space = loadSpaceFile(spaceFile);
    const subsystemOf = new Map(space.parameters.map((p) => [p.name as string, p.subsystem as string]));
    expect(space.parameters).toHaveLength(23);
    const page = await browser!.context.newPage();
    await page.setViewportSize({ width: 1280, height: 1000 });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${server!.url}#runs=1`);
    await untilAxes(page, (axes) => axes.length > 1);

    // More than 16 parameters: 12 of them to start with.
    expect(await axesShown(page)).toHaveLength(13);
    await expect.poll(() => page.locator('#parallel .axis-chooser summary').textContent()).toMatch(/^Axes: 12 of 23 parameters, grouped by subsystem/);
    expect(await crowding(page)).toEqual({ overlapping: [], outside: [] });

    // Every parameter: grouped by subsystem, in the order the subsystems first appear in the space file.
    await page.locator('#parallel .axis-chooser summary').click();
    await page.locator('#parallel .axis-actions button[data-action="all"]').click();
    const order = ['page', 'scheduling', 'transport', 'refresh', 'power-down'];
    const all = order.flatMap((g) => SPACE.parameters.map((p) => p.name).filter((n) => DEFAULT_SUBSYSTEM[n as keyof typeof DEFAULT_SUBSYSTEM] === g));
    expect(await axesShown(page)).toEqual([...all, 'reward']);
    expect(await page.locator('#parallel .axis-groups fieldset').evaluateAll((fs) => fs.map((f) => f.getAttribute('data-group')))).toEqual(order);

    // One band per subsystem holding exactly its axes, named (in full on hover); wider gaps between subsystems than within one.
    const { axes, bands } = await geometry(page);
    expect(bands.map((b) => b.group)).toEqual(order);
    for (const a of axes) {
      const holding = bands.filter((b) => a.x > b.from && a.x < b.to).map((b) => b.group);
      expect(holding, a.name).toEqual([subsystemOf.get(a.name)]);
    }
    for (const b of bands) expect(b.title).toBe(b.group);
    expect(bands.find((b) => b.group === 'scheduling')!.label).toBe('scheduling');
    const steps = axes.slice(1).map((a, k) => ({ step: a.x - axes[k].x, across: subsystemOf.get(a.name) !== subsystemOf.get(axes[k].name) }));
    expect(Math.min(...steps.filter((s) => s.across).map((s) => s.step))).toBeGreaterThan(Math.max(...steps.filter((s) => !s.across).map((s) => s.step)) + 10);

    // No two labels overlap (axis names turned, values cut to fit), none leaves the chart; full names on hover.
    expect(await crowding(page)).toEqual({ overlapping: [], outside: [] });
    const names = await page.locator('#parallel text.pc-name').evaluateAll((ts) => ts.map((t) => [t.firstChild?.textContent, t.querySelector('title')?.textContent]));
    expect(names.map((n) => n[1])).toEqual([...all.map((n) => `${n} (${subsystemOf.get(n)})`), 'reward']);
    expect(names.find((n) => n[1]?.startsWith('RequestBufferSizeWrite'))?.[0]).toBe('ReqBufferSizeWrite');
    await page.locator('#parallel').locator('xpath=..').screenshot({ path: join(dir, 'all.png') });

    // Hiding a subsystem hides its axes and its band.
    await page.locator('#parallel fieldset[data-group="transport"] input.group').uncheck();
    const withoutTransport = [...all.filter((n) => subsystemOf.get(n) !== 'transport'), 'reward'];
    expect(await axesShown(page)).toEqual(withoutTransport);
    expect((await geometry(page)).bands.map((b) => b.group)).toEqual(['page', 'scheduling', 'refresh', 'power-down']);
    expect(await page.locator('#parallel fieldset[data-group="transport"] label.axis input:checked').count()).toBe(0);
    expect(await crowding(page)).toEqual({ overlapping: [], outside: [] });

    // The choice survives a reload.
    await page.reload();
    await untilAxes(page, (axes) => axes.length > 1);
    expect(await axesShown(page)).toEqual(withoutTransport);
    expect(await page.locator('#parallel .axis-chooser summary').textContent()).toBe('Axes: 14 of 23 parameters, grouped by subsystem (chosen here, kept for this space)');

    // It belongs to this space: a run of the reference space shows all its 10 axes, and back here the choice holds.
    await page.goto(`${server!.url}#runs=2`);
    // Until the reference run's parameters are drawn (at first only the reward axis is).
    await untilAxes(page, (axes) => axes.length > 1 && !axes.includes('HighWatermark'));
    expect(await axesShown(page)).toHaveLength(11);
    await page.goto(`${server!.url}#runs=1`);
    // The big space's axes again (HighWatermark is not in the reference space), as chosen.
    await untilAxes(page, (axes) => axes.includes('HighWatermark'));
    expect(await axesShown(page)).toEqual(withoutTransport);

    // "the most important" goes back to the default, and forgets the choice.
    await page.locator('#parallel .axis-chooser summary').click();
    await page.locator('#parallel .axis-actions button[data-action="important"]').click();
    expect(await axesShown(page)).toHaveLength(13);
    await page.reload();
    await untilAxes(page, (axes) => axes.length > 1);
    expect(await axesShown(page)).toHaveLength(13);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('the trial table gives each parameter a column under its subsystem and holds the run, evaluation and value in view when scrolled', async () => {
    const reader = RunStore.open(db, { readonly: true });
    const evaluations = reader.evaluations(1);
    reader.close();
    const page = await browser!.context.newPage();
    await page.setViewportSize({ width: 1280, height: 1000 });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${server!.url}#runs=1`);
    await page.waitForFunction((n) => (window as unknown as { __dashboard: { trialRows(): number } }).__dashboard.trialRows() === n, BUDGET, { timeout: 30_000 });
    await page.locator('#trials').scrollIntoViewIfNeeded();
    await page.locator('#trials .trial-columns').check();
    const groups = await page.locator('#trials tr.groups th.group').evaluateAll((ths) => ths.map((th) => [th.getAttribute('data-group'), Number(th.getAttribute('colspan'))]));
    expect(groups).toEqual([
      ['page', 1],
      ['scheduling', 8],
      ['transport', 9],
      ['refresh', 3],
      ['power-down', 2],
    ]);
    const headers = await page.locator('#trials tr.names th').evaluateAll((ths) => ths.map((th) => th.getAttribute('title') ?? th.getAttribute('data-key')));
    expect(headers.slice(0, 6)).toEqual(['run', 'evaluation', 'value', 'latencyNs', 'powerMw', 'reward']);
    expect(headers).toHaveLength(6 + 23);
    // Each cell holds the design's value, as stored; those that differ from the run's best design stand out.
    const byIndex = new Map(evaluations.map((e) => [e.index, e]));
    const best = evaluations.reduce((a, e) => (e.value < a.value ? e : a));
    const rows = await page.locator('#trials tbody tr').evaluateAll((trs) => trs.map((tr) => ({ index: Number(tr.getAttribute('data-index')), cells: [...tr.querySelectorAll('td')].map((td) => [td.textContent, td.classList.contains('differs')]) })));
    expect(rows).toHaveLength(25);
    for (const row of rows) {
      const e = byIndex.get(row.index)!;
      headers.slice(6).forEach((name, k) => {
        const [text, differs] = row.cells[6 + k];
        expect(text, `${row.index} ${name}`).toBe(String(e.config[name!]));
        expect(differs).toBe(e.config[name!] !== best.config[name!]);
      });
    }
    // Wider than the card: it scrolls sideways, its first three columns held in place.
    const wrap = page.locator('#trials .trials-wrap');
    expect(await wrap.evaluate((w) => w.scrollWidth > w.clientWidth + 200)).toBe(true);
    const cell = page.locator('#trials tbody tr').first().locator('td').nth(2);
    const before = (await cell.boundingBox())!;
    const far = page.locator('#trials tbody tr').first().locator('td').nth(4);
    const farBefore = (await far.boundingBox())!;
    await wrap.evaluate((w) => (w.scrollLeft = 700));
    expect((await cell.boundingBox())!.x).toBeCloseTo(before.x, 0);
    expect((await far.boundingBox())!.x).toBeLessThan(farBefore.x - 100);
    // A parameter's column sorts in the space's order of its values.
    await page.locator('#trials th[data-key="parameter:PagePolicy"]').click();
    const firstIndex = Number(await page.locator('#trials tbody tr').first().getAttribute('data-index'));
    expect(byIndex.get(firstIndex)!.config.PagePolicy).toBe(evaluations.map((e) => e.config.PagePolicy).sort((a, b) => SPACE.parameters[0].values.indexOf(String(a)) - SPACE.parameters[0].values.indexOf(String(b)))[0]);
    await page.locator('#trials').locator('xpath=..').screenshot({ path: join(dir, 'trials.png') });
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('35 parameters in subsystems the page does not know: each is another group, no labels overlap, hiding one hides its axes', async () => {
    const page = await browser!.context.newPage();
    await page.setViewportSize({ width: 1280, height: 1000 });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${server!.url}#runs=1`);
    const range = (n: number, f: (i: number) => string | number): Array<string | number> => Array.from({ length: n }, (_, i) => f(i));
    const parameters = [
      ...SPACE.parameters.map((p) => ({ ...p, subsystem: DEFAULT_SUBSYSTEM[p.name as keyof typeof DEFAULT_SUBSYSTEM] as string })),
      ...['Channels', 'Ranks', 'BankGroups', 'BanksPerBankGroup', 'DeviceWidth'].map((name, k) => ({ name, subsystem: 'organisation', values: range(2 + 2 * k, (i) => 2 ** i) })),
      { name: 'AddressMappingScheme', subsystem: 'address-mapping', values: range(12, (i) => ['RoBaRaCoCh', 'RoRaBaChCo', 'ChRaBaRoCo', 'RoBaBgRaCoCh'][i % 4] + i) },
      { name: 'ChannelInterleaveGranularity', subsystem: 'address-mapping', values: range(20, (i) => 64 * 2 ** i) },
      { name: 'BankXorBits', subsystem: 'address-mapping', values: range(6, (i) => i) },
      ...['ThrottleThresholdCelsius', 'ThrottleWindowNs', 'ThrottleLevel', 'ThrottleHysteresisCelsius'].map((name, k) => ({ name, subsystem: 'thermal', values: range(4 + 3 * k, (i) => (k === 2 ? `Level${i}` : 10 * i)) })),
    ];
    expect(parameters).toHaveLength(35);
    const shown = await page.evaluate(async (parameters) => {
      // The page's own modules, imported as the page does (an import() written here would be the test runner's).
      const load = new Function('path', 'return import(path)') as (path: string) => Promise<Record<string, any>>;
      const data = await load('/data.js');
      const { parallelChart } = await load('/charts/parallel.js');
      let seed = 5;
      const rand = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
      const evaluations = Array.from({ length: 400 }, (_, index) => {
        const design = parameters.map((p) => Math.floor(rand() * p.values.length));
        const value = 1000 + 100 * design[0] + rand();
        return { index, design, config: Object.fromEntries(parameters.map((p, k) => [p.name, p.values[design[k]]])), value, reward: -Math.log(value / 2000), best: value, simulated: true, powerMw: 1, latencyNs: value, avgLatencyNs: value, energyPj: value, bandwidthGBps: 1 };
      });
      const info = { id: 99, status: 'finished', agent: 'random', trace: 't', objective: 'latency', direction: 'min', unit: 'ns', target: null, seed: 1, budget: 400, evaluations: 400, bestValue: null, bestIndex: null, createdAt: '', updatedAt: '', wallSeconds: 1 };
      const state = data.runFromSnapshot({ run: info, space: { name: 'future', parameters, base: {} }, evaluations, agentStats: [] }, 1);
      const card = document.createElement('section');
      card.className = 'card wide';
      card.innerHTML = '<div id="future" class="chart"></div>';
      document.querySelector('main')!.prepend(card);
      const chart = parallelChart(document.querySelector('#future'), { onBrush: () => {} });
      chart.update([{ id: 99, color: '#4e79a7', state }]);
      (document.querySelector('#future .axis-actions button[data-action="all"]') as HTMLButtonElement).click();
      Object.assign(window, { __future: chart });
      return chart.axes();
    }, parameters);
    const order = ['page', 'scheduling', 'transport', 'refresh', 'power-down', 'organisation', 'address-mapping', 'thermal'];
    const grouped = order.flatMap((g) => parameters.filter((p) => p.subsystem === g).map((p) => p.name));
    expect(shown).toEqual([...grouped, 'reward']);
    expect(await page.locator('#future g.pc-group').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-group')))).toEqual(order);
    const colors = await page.locator('#future g.pc-group').evaluateAll((gs) => gs.map((g) => getComputedStyle(g.querySelector('rect.band')!).fill));
    expect(new Set(colors).size).toBe(order.length);
    expect(await crowding(page, '#future')).toEqual({ overlapping: [], outside: [] });
    await page.locator('#future').screenshot({ path: join(dir, 'future.png') });
    // About 26 pixels between axes: the values that do not fit are left out, and shown whole while the pointer is on their axis.
    const ticks = page.locator('#future g.pc-axis[data-name="ChannelInterleaveGranularity"] .tick text');
    const values = parameters.find((p) => p.name === 'ChannelInterleaveGranularity')!.values.map(String);
    const cut = await ticks.allTextContents();
    expect(cut.filter((t) => t === '').length).toBeGreaterThan(10);
    cut.forEach((t, k) => expect(['', values[k]]).toContain(t));
    const box = (await page.locator('#future g.pc-axis[data-name="ChannelInterleaveGranularity"] path.domain').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    expect(await ticks.allTextContents()).toEqual(values);
    await page.mouse.move(0, 0);
    expect(await ticks.allTextContents()).toEqual(cut);
    await page.locator('#future .axis-chooser summary').click();
    await page.locator('#future fieldset[data-group="address-mapping"] input.group').uncheck();
    const after = await page.evaluate(() => (window as unknown as { __future: { axes(): string[] } }).__future.axes());
    expect(after).toEqual([...grouped.filter((n) => !parameters.some((p) => p.name === n && p.subsystem === 'address-mapping')), 'reward']);
    expect(await page.locator('#future g.pc-group[data-group="address-mapping"]').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
