/**
 * The dashboard end to end: a real `marl-dse search --serve` in a child process, the page in
 * Chromium (playwright-core, Debian's /usr/bin/chromium). The URL the search prints opens the page
 * on its run, and the charts fill while the search runs, with no click; after the search's server
 * goes away and another starts on the same port, the page reconnects and its snapshot restores the
 * view; the views (best so far, brushing, importance, trial table, learning curves, heat map) show
 * the run; then a second run written at several hundred evaluations a second measures how fast the
 * page applies updates. `marl-dse serve` on a store with one running run follows it. Saves
 * screenshots of the page and of each view in test-artifacts/.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardServer, startServer } from '../../src/server/server.js';
import { type EvaluationRecord, RunStore } from '../../src/store/store.js';
import { CHROMIUM, CLI, evaluation, launchChromium, newRun, ROOT, type SearchChild, skipBrowser, sleep, spawnSearch, tempDir, waitForText } from './fixtures.js';

const ARTIFACTS = join(ROOT, 'test-artifacts');
const BUDGET = 1000;

interface PageMetrics {
  connected: boolean;
  connections: number;
  messages: number;
  evaluationsApplied: number;
  snapshots: number;
  frames: number;
  maxFrameMs: number;
  evaluationsPerSecond: number;
  lastError: string | null;
}

interface PageProbe {
  metrics: PageMetrics;
  points: number;
  lines: number;
  perRun: Record<string, number>;
  statuses: string[];
  mcconfig: string;
}

interface Dashboard {
  metrics: PageMetrics;
  model: { selected: number[] };
  selection(): Record<string, number[]> | null;
  trialRows(): number;
  bestPanels(): Array<{ objective: string; label: string; log: boolean; zoom: string }>;
  importance(): { names: string[]; results: Array<{ key: string; share: number[] }>; busy: boolean };
}
const dashboard = <T>(page: Page, f: (d: Dashboard) => T): Promise<T> => page.evaluate(`(${f.toString()})(window.__dashboard)`) as Promise<T>;
const until = (page: Page, f: (d: Dashboard) => boolean, timeout = 15_000): Promise<unknown> =>
  page.waitForFunction(`(${f.toString()})(window.__dashboard)`, null, { timeout, polling: 50 });

/**
 * The views of a finished run (a real MARL search on latency), checked against the store; a
 * screenshot of each in test-artifacts/views/.
 */
async function checkViews(page: Page, evaluations: EvaluationRecord[]): Promise<void> {
  const shots = join(ARTIFACTS, 'views');
  mkdirSync(shots, { recursive: true });
  const shoot = (view: string): Promise<Buffer> => page.locator(`#${view}`).locator('xpath=..').screenshot({ path: join(shots, `${view}.png`) });

  // Best so far: one panel for the one objective, labelled with its unit.
  expect((await dashboard(page, (d) => d.bestPanels())).map((p) => p.label)).toEqual([expect.stringMatching(/^best latency \(ns\)/)]);
  await shoot('best');
  await shoot('scatter');

  // The highlighted marks (SVG) show over the dense ones (canvas): hiding the SVG changes what is seen there.
  for (const [chart, mark] of [
    ['#scatter', 'circle.front-point'],
    ['#parallel', 'path.pc-best'],
  ]) {
    await page.locator(chart).scrollIntoViewIfNeeded();
    const box = (await page.locator(`${chart} ${mark}`).first().boundingBox())!;
    const clip = { x: box.x - 2, y: box.y - 2, width: box.width + 4, height: box.height + 4 };
    const shown = await page.screenshot({ clip });
    await page.locator(`${chart} svg`).evaluate((svg) => ((svg as SVGSVGElement).style.visibility = 'hidden'));
    const hidden = await page.screenshot({ clip });
    await page.locator(`${chart} svg`).evaluate((svg) => ((svg as SVGSVGElement).style.visibility = ''));
    expect(shown.equals(hidden), `${chart} ${mark} visible`).toBe(false);
  }

  // A brush around one value of Scheduler keeps exactly the designs with that value, here and in the trial table.
  await page.locator('#parallel svg').scrollIntoViewIfNeeded();
  const axis = page.locator('#parallel g.pc-axis[data-name="Scheduler"]');
  const line = (await axis.locator('path.domain').boundingBox())!;
  const tick = (await axis.locator('g.tick', { hasText: /^FrFcfs$/ }).locator('line').boundingBox())!;
  const x = line.x + line.width / 2;
  await page.mouse.move(x, tick.y - 8);
  await page.mouse.down();
  await page.mouse.move(x, tick.y + 8, { steps: 5 });
  await page.mouse.up();
  const kept = evaluations.filter((e) => e.config.Scheduler === 'FrFcfs').map((e) => e.index);
  expect(kept.length).toBeGreaterThan(0);
  expect(kept.length).toBeLessThan(evaluations.length);
  await until(page, (d) => (d.selection()?.['1']?.length ?? 0) > 0);
  expect(await dashboard(page, (d) => d.selection())).toEqual({ 1: kept });
  await page.waitForFunction((n) => (window as unknown as { __dashboard: Dashboard }).__dashboard.trialRows() === n, kept.length, { timeout: 5000 });
  await shoot('parallel');
  await page.locator('#parallel button.pc-clear').click();
  await until(page, (d) => d.selection() === null);

  // The trial table: sorted by value, the best first, written as the best design; filtered by a parameter; exported to CSV.
  await page.locator('#trials').scrollIntoViewIfNeeded();
  await page.locator('#trials th[data-key="value"]').click();
  const best = [...evaluations].sort((a, b) => a.value - b.value || a.index - b.index)[0];
  const first = page.locator('#trials tbody tr').first();
  await expect.poll(() => first.getAttribute('data-index')).toBe(String(best.index));
  expect(await first.locator('td.design').textContent()).toBe('= the best design');
  await page.locator('#trials .trial-filter').fill('RequestBufferSize=8');
  const eight = evaluations.filter((e) => e.config.RequestBufferSize === 8);
  await page.waitForFunction((n) => (window as unknown as { __dashboard: Dashboard }).__dashboard.trialRows() === n, eight.length, { timeout: 5000 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#trials .trial-export').click()]);
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
  const header = csv[0].split(',');
  expect(header.slice(0, 7)).toEqual(['run', 'agent', 'trace', 'objective', 'unit', 'evaluation', 'value']);
  expect(csv).toHaveLength(eight.length + 1);
  const byIndex = new Map(evaluations.map((e) => [e.index, e]));
  for (const rowText of csv.slice(1)) {
    const cells = rowText.split(',');
    const e = byIndex.get(Number(cells[header.indexOf('evaluation')]))!;
    expect(cells[header.indexOf('RequestBufferSize')]).toBe('8');
    expect(Number(cells[header.indexOf('value')])).toBe(e.value);
    expect(cells[header.indexOf('Scheduler')]).toBe(String(e.config.Scheduler));
  }
  // Sorted by value, as shown.
  const values = csv.slice(1).map((r) => Number(r.split(',')[header.indexOf('value')]));
  expect(values).toEqual([...values].sort((a, b) => a - b));
  await page.locator('#trials .trial-filter').fill('');
  await page.waitForFunction((n) => (window as unknown as { __dashboard: Dashboard }).__dashboard.trialRows() === n, evaluations.length, { timeout: 5000 });
  await shoot('trials');

  // Parameter importance for latency, one bar per parameter.
  await until(page, (d) => d.importance().results.length === 1 && !d.importance().busy, 60_000);
  const importance = await dashboard(page, (d) => d.importance());
  expect(importance.results[0].key).toBe('latencyNs');
  expect(importance.results[0].share.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  expect(await page.locator('#importance .importance[data-metric="latencyNs"] g.bar').count()).toBe(importance.names.length);
  await shoot('importance');

  // The agent's losses and entropy over the run: one curve each, drawn.
  const curves = await page.locator('#curves svg.curve').evaluateAll((svgs) => svgs.map((s) => [s.getAttribute('data-name'), (s.querySelector('path.curve-line')?.getAttribute('d') ?? '').length]));
  expect(curves.map((c) => c[0])).toEqual(expect.arrayContaining(['policyLoss', 'valueLoss', 'entropy']));
  for (const [, d] of curves) expect(d).toBeGreaterThan(10);
  await shoot('curves');

  // The heat map: its colour legend; every value is labelled on the canvas.
  expect(await page.locator('#heatmap .heatmap-legend svg text', { hasText: 'action probability' }).count()).toBe(1);
  await shoot('heatmap');
}

function probe(page: Page): Promise<PageProbe> {
  return page.evaluate(() => {
    const d = (window as unknown as { __dashboard: { metrics: PageMetrics; scatterPoints(): number; parallelLines(): number; model: { runs: Map<number, { n: number }> } } }).__dashboard;
    const perRun: Record<string, number> = {};
    for (const [id, r] of d.model.runs) perRun[id] = r.n;
    return {
      metrics: { ...d.metrics },
      points: d.scatterPoints(),
      lines: d.parallelLines(),
      perRun,
      statuses: [...document.querySelectorAll('#runs td.status')].map((td) => td.textContent ?? ''),
      mcconfig: document.querySelector('#best-design pre')?.textContent ?? '',
    };
  });
}

const dir = tempDir('e2e');
const db = join(dir, 'runs.sqlite');
let context: BrowserContext;
let browser: Awaited<ReturnType<typeof launchChromium>> | null = null;
let search: SearchChild | null = null;
let restarted: DashboardServer | null = null;

beforeAll(async () => {
  if (skipBrowser) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium({ bypassCSP: true });
  context = browser.context;
}, 90_000);

afterAll(async () => {
  search?.kill('SIGKILL');
  await restarted?.close();
  await browser?.close();
});

describe.skipIf(skipBrowser)(`dashboard in a browser (Chromium at ${CHROMIUM})`, () => {
  it('fills live from search --serve, survives a server restart, and applies every update of a fast writer (rate measured)', async () => {
    const t0 = Date.now();
    search = spawnSearch(['--agent', 'marl', '--trace', 'builtin:cloud-1', '--objective', 'latency', '--budget', String(BUDGET), '--seed', '1', '--db', db, '--serve', '--port', '0']);
    // Printed once the run exists: the page opens on it.
    const [, url, port] = await waitForText(() => search!.stderrText(), /dashboard: (http:\/\/127\.0\.0\.1:(\d+)\/#runs=1)\n/, 'the dashboard URL of run 1');

    const page = context.pages()[0] ?? (await context.newPage());
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      // The browser logs each refused reconnection attempt while the server is down: expected.
      if (m.type() === 'error' && !m.text().includes('WebSocket')) problems.push(`console: ${m.text()}`);
    });
    page.on('requestfailed', (r) => {
      if (!r.url().includes('/ws')) problems.push(`request failed: ${r.url()}`);
    });
    await page.goto(url);
    // No click: the page follows run 1 and the header counts its evaluations from the first second.
    await page.locator('#runs tbody tr.selected[data-id="1"]').waitFor({ timeout: 30_000 });
    await page.locator('#rate', { hasText: /^[1-9][\d,]* evaluations\/s$/ }).waitFor({ timeout: 30_000 });

    // ---- 1. the charts fill as evaluations arrive ----
    const samples: Array<{ t: number; points: number; stored: number }> = [];
    const reader = RunStore.open(db, { readonly: true });
    let shot = false;
    for (;;) {
      const p = await probe(page);
      const stored = reader.getRun(1)?.evaluations ?? 0;
      samples.push({ t: Date.now(), points: p.points, stored });
      if (!shot && p.points >= BUDGET * 0.85) {
        await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
        shot = true;
      }
      if (p.points >= BUDGET || search.exitCode !== null || Date.now() - t0 > 60_000) break;
      await sleep(250);
    }
    expect(await search.exited).toBe(0);
    const live = samples.filter((s) => s.points > 0 && s.points < BUDGET);
    // Seen growing over several samples, not arriving at once.
    expect(live.length).toBeGreaterThanOrEqual(4);
    expect(new Set(live.map((s) => s.points)).size).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < samples.length; i++) expect(samples[i].points).toBeGreaterThanOrEqual(samples[i - 1].points);
    const lag = Math.max(...samples.map((s) => s.stored - s.points));
    const first = live[0];
    const last = live[live.length - 1];
    const searchRate = ((last.points - first.points) * 1000) / (last.t - first.t);

    // The server sends its last news as it shuts down; the page draws it on its next frame.
    await page.waitForFunction((n) => (window as unknown as { __dashboard: { scatterPoints(): number } }).__dashboard.scatterPoints() >= n, BUDGET, { timeout: 10_000 });
    let p = await probe(page);
    expect(p.points).toBe(BUDGET);
    expect(p.lines).toBe(BUDGET);
    expect(JSON.parse(p.mcconfig)).toHaveProperty('mcconfig.PagePolicy');
    if (!shot) await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });

    // ---- 2. the server goes away (the search ended, not on a terminal) and another comes up on its port ----
    await page.waitForFunction(() => !(window as unknown as { __dashboard: { metrics: PageMetrics } }).__dashboard.metrics.connected, null, { timeout: 10_000 });
    const snapshotsBefore = p.metrics.snapshots;
    restarted = await startServer({ db, port: Number(port) });
    await page.waitForFunction(
      (n) => {
        const m = (window as unknown as { __dashboard: { metrics: PageMetrics } }).__dashboard.metrics;
        return m.connected && m.snapshots > n;
      },
      snapshotsBefore,
      { timeout: 15_000 },
    );
    await page.waitForFunction(() => [...document.querySelectorAll('#runs td.status')].some((td) => td.textContent === 'finished'), null, { timeout: 5000 });
    // The snapshot may arrive in more than one message; the page draws what it holds on its next frame.
    await page.waitForFunction((n) => (window as unknown as { __dashboard: { scatterPoints(): number } }).__dashboard.scatterPoints() >= n, BUDGET, { timeout: 10_000 });
    p = await probe(page);
    expect(p.metrics.connections).toBe(2);
    expect(p.points).toBe(BUDGET); // the snapshot replaced the run: redrawn, not doubled
    expect(p.statuses).toContain('finished');

    await checkViews(page, reader.evaluations(1));

    // The best design's mcconfig is copied as shown.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
    await page.locator('#best-design button').click();
    await page.locator('#best-design .copied', { hasText: 'copied' }).waitFor({ timeout: 5000 });
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(JSON.parse(copied)).toEqual(JSON.parse(p.mcconfig));

    // ---- 3. a second run written fast: how many updates a second the page applies ----
    const source = reader.evaluations(1);
    const writer = RunStore.open(db);
    const stressId = writer.createRun(newRun({ agent: 'random', objective: 'latency', budget: 3000, target: null }));
    await page.locator(`#runs tbody tr[data-id="${stressId}"]`).click({ timeout: 10_000 });
    await page.waitForFunction((id) => (window as unknown as { __dashboard: { model: { runs: Map<number, unknown> } } }).__dashboard.model.runs.has(id), stressId, { timeout: 10_000 });
    // Frame times from here on: the stress phase alone (the reconnection's full redraw is the longest frame before it).
    await page.evaluate(() => ((window as unknown as { __dashboard: { metrics: PageMetrics } }).__dashboard.metrics.maxFrameMs = 0));
    const before = (await probe(page)).metrics;
    const total = 3000;
    const w0 = Date.now();
    const stressSamples: Array<{ t: number; shown: number; written: number }> = [];
    let best = Infinity;
    for (let i = 0; i < total; i += 10) {
      writer.appendEvaluations(
        stressId,
        Array.from({ length: 10 }, (_, k) => {
          const e = source[(i + k) % source.length];
          best = Math.min(best, e.value);
          return { ...e, index: i + k, best };
        }),
      );
      if (i % 500 === 0) {
        const q = await probe(page);
        stressSamples.push({ t: Date.now(), shown: q.perRun[stressId] ?? 0, written: i + 10 });
      }
      await sleep(20);
    }
    const writeSeconds = (Date.now() - w0) / 1000;
    await page.waitForFunction(
      ([id, n]) => ((window as unknown as { __dashboard: { model: { runs: Map<number, { n: number }> } } }).__dashboard.model.runs.get(id)?.n ?? 0) >= n,
      [stressId, total] as const,
      { timeout: 15_000 },
    );
    const drainSeconds = (Date.now() - w0) / 1000 - writeSeconds;
    const after = (await probe(page)).metrics;
    writer.close();
    reader.close();
    const applied = after.evaluationsApplied - before.evaluationsApplied;
    const stressRate = applied / (writeSeconds + drainSeconds);
    const stressLag = Math.max(...stressSamples.map((s) => s.written - s.shown));
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-compare.png'), fullPage: true });

    const report = {
      searchBudget: BUDGET,
      searchPhase: { evaluationsPerSecondApplied: Math.round(searchRate), maxLagEvaluations: lag, samples: samples.length },
      stressPhase: {
        written: total,
        writeSeconds: Number(writeSeconds.toFixed(2)),
        writtenPerSecond: Math.round(total / writeSeconds),
        appliedPerSecond: Math.round(stressRate),
        secondsToDrainAfterWriterStopped: Number(drainSeconds.toFixed(2)),
        maxLagEvaluations: stressLag,
      },
      page: { frames: after.frames, messages: after.messages, maxFrameMsDuringStress: Math.round(after.maxFrameMs) },
      totalSeconds: Math.round((Date.now() - t0) / 1000),
    };
    writeFileSync(join(ARTIFACTS, 'dashboard-metrics.json'), JSON.stringify(report, null, 2) + '\n');
    console.log(`dashboard e2e: ${JSON.stringify(report)}`);

    // Nothing lost; how fast is reported above (dashboard-metrics.json), not asserted.
    expect(applied).toBe(total);
    expect(problems).toEqual([]);
  }, 180_000);

  it('serve on a store with one running run follows it, and counts evaluations before any click', async () => {
    const followDb = join(dir, 'follow.sqlite');
    const writer = RunStore.open(followDb);
    const finished = writer.createRun(newRun({ agent: 'random' }));
    writer.appendEvaluations(finished, [0, 1, 2].map((i) => evaluation(i)));
    writer.setStatus(finished, 'finished', { bestValue: 1000, bestIndex: 0, evaluationsToTarget: null, simulations: 3, wallSeconds: 1 });
    const running = writer.createRun(newRun({ agent: 'marl', budget: 100_000 }));
    const server = await startServer({ db: followDb, port: 0 });
    let writing = true;
    const written = (async () => {
      for (let i = 0; writing; i += 10) {
        writer.appendEvaluations(running, Array.from({ length: 10 }, (_, k) => evaluation(i + k)));
        await sleep(50);
      }
    })();
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      await page.goto(server.url);
      await page.locator(`#runs tbody tr.selected[data-id="${running}"]`).waitFor({ timeout: 15_000 });
      expect(new URL(page.url()).hash).toBe(`#runs=${running}`);
      await page.locator('#rate', { hasText: /^[1-9][\d,]* evaluations\/s$/ }).waitFor({ timeout: 15_000 });
      // The user's choice wins: after deselecting, the page does not select the run again.
      await page.locator(`#runs tbody tr[data-id="${running}"]`).click();
      await sleep(1500);
      expect(await dashboard(page, (d) => d.model.selected)).toEqual([]);
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      writing = false;
      await written;
      writer.close();
      await server.close();
    }
  }, 60_000);

  it('a space of 32 parameters: the parallel coordinates start with the 12 most important, and the user chooses the axes', async () => {
    const bigDb = join(dir, 'big.sqlite');
    const writer = RunStore.open(bigDb);
    // A space the server cannot load (its file is gone): the page takes the parameters from the designs.
    const id = writer.createRun(newRun({ agent: 'random', objective: 'latency', budget: 600, options: { space: '/nonexistent/big-space.json' } }));
    const names = Array.from({ length: 32 }, (_, p) => `P${String(p).padStart(2, '0')}`);
    let seed = 11;
    const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const evals = Array.from({ length: 600 }, (_, i) => {
      const values = names.map(() => Math.floor(rand() * 4));
      // Latency depends on P07 and P20 only.
      const latency = 50_000 * (1 + values[7] + 0.5 * values[20]);
      const e = evaluation(i, latency);
      return { ...e, design: values, config: Object.fromEntries(names.map((n, p) => [n, values[p]])), stats: { ...e.stats, totalTimeNs: latency } };
    });
    writer.appendEvaluations(id, evals);
    writer.setStatus(id, 'finished', { bestValue: 50_000, bestIndex: 0, evaluationsToTarget: null, simulations: 600, wallSeconds: 1 });
    writer.close();
    const server = await startServer({ db: bigDb, port: 0 });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      await page.goto(`${server.url}#runs=${id}`);
      const axes = (): Promise<string[]> => page.evaluate(() => (window as unknown as { __dashboard: { parallelAxes(): string[] } }).__dashboard.parallelAxes());
      // Before importance is known: the first 12; once it is, the 12 most important, P07 and P20 among them.
      await page.waitForFunction(() => (window as unknown as { __dashboard: { parallelAxes(): string[] } }).__dashboard.parallelAxes().includes('P20'), null, { timeout: 60_000 });
      const shown = await axes();
      expect(shown).toHaveLength(13);
      expect(shown).toEqual(expect.arrayContaining(['P07', 'P20', 'reward']));
      expect(shown.slice(0, -1)).toEqual([...shown.slice(0, -1)].sort());
      await expect.poll(() => page.locator('#parallel .axis-chooser summary').textContent()).toBe('Axes: 12 of 32 parameters, grouped by subsystem (the most important)');
      // All of them, then none, then one.
      await page.locator('#parallel .axis-chooser summary').click();
      await page.locator('#parallel .axis-actions button[data-action="all"]').click();
      expect(await axes()).toEqual([...names, 'reward']);
      await page.locator('#parallel fieldset input.group').uncheck();
      expect(await axes()).toEqual(['reward']);
      await page.locator('#parallel label.axis', { hasText: 'P20' }).locator('input').check();
      await page.locator('#parallel label.axis', { hasText: 'P07' }).locator('input').check();
      expect(await axes()).toEqual(['P07', 'P20', 'reward']);
      expect(await page.evaluate(() => (window as unknown as { __dashboard: { parallelLines(): number } }).__dashboard.parallelLines())).toBe(600);
      await page.locator('#parallel .axis-actions button[data-action="important"]').click();
      expect(await axes()).toHaveLength(13);
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await server.close();
    }
  }, 120_000);

  it('over a comparison folder: shows the verdicts, links the report, draws the true optimum and the target', async () => {
    const space = join(dir, 'six.json');
    writeFileSync(space, JSON.stringify({ name: 'six', parameters: [
      { name: 'PagePolicy', values: ['Open', 'Closed'] },
      { name: 'Scheduler', values: ['Fifo', 'FrFcfsGrp', 'FrFcfs'] },
    ] }));
    const cli = (...args: string[]): number | null => spawnSync(process.execPath, [CLI, ...args], { stdio: 'ignore', timeout: 120_000 }).status;
    expect(cli('sweep', '--trace', 'builtin:cloud-2', '--space', space, '--out', join(dir, 'truth', 'cloud-2.csv'))).toBe(0);
    const cmp = join(dir, 'cmp');
    expect(cli('compare', '--agents', 'marl,random', '--traces', 'builtin:cloud-2', '--objectives', 'latency', '--seeds', '1', '--budget', '6',
      '--space', space, '--ground-truth', join(dir, 'truth'), '--tolerance', '5%', '--out', cmp)).toBe(0);
    const server = await startServer({ db: join(cmp, 'runs.sqlite'), port: 0 });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      await page.goto(server.url);
      await page.locator('#comparison-card:not([hidden]) .verdicts li').first().waitFor({ timeout: 10_000 });
      expect(await page.locator('#comparison-card .verdicts li').allTextContents()).toEqual([expect.stringMatching(/^builtin:cloud-2 \/ latency: .*True optimum [\d,.]+ ns\.$/)]);
      const href = await page.locator('#report-link').getAttribute('href');
      expect((await fetch(new URL(href!, server.url))).status).toBe(200);
      // The run table's best values carry their objective's unit.
      await page.locator('#runs tbody tr').nth(1).waitFor({ timeout: 10_000 });
      expect(await page.locator('#runs tbody td.num:nth-of-type(8)').allTextContents()).toEqual([expect.stringMatching(/^[\d,.]+ ns$/), expect.stringMatching(/^[\d,.]+ ns$/)]);
      await page.locator('#runs tbody tr').first().click();
      await page.locator('#best .reference text').nth(1).waitFor({ timeout: 10_000 });
      const labels = await page.locator('#best .reference text').allTextContents();
      expect(labels).toEqual([expect.stringMatching(/^true optimum [\d,.]+ ns$/), expect.stringMatching(/^target [\d,.]+ ns$/)]);
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-comparison.png'), fullPage: true });
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await server.close();
    }
  }, 120_000);
});
