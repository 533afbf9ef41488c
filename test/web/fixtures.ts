/** Stores, searches and WebSocket clients for the dashboard tests: real sockets, real stores. */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { type BrowserContext, chromium } from 'playwright-core';
import WebSocket from 'ws';
import type { ServerMessage } from '../../src/server/protocol.js';
import type { EvaluationRecord } from '../../src/store/store.js';
import { evaluation } from '../src/store/fixtures.js';

export { evaluation, newRun, tempDir } from '../src/store/fixtures.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'src', 'cli.js');

export function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p .)`);
}

export const CHROMIUM = '/usr/bin/chromium';
/** MARL_DSE_SKIP_BROWSER=1 skips the browser tests; without it, a machine with no Chromium fails them rather than pass silently (CI installs it: .ci/run). */
export const skipBrowser = process.env.MARL_DSE_SKIP_BROWSER === '1';

/**
 * Debian's Chromium, headless, with a fresh profile (removed by `close`). `bypassCSP`: the tests'
 * own probes (waitForFunction on a string, modules imported by hand) run in the page, which the
 * server's Content-Security-Policy forbids; the page itself runs under it unchanged.
 */
export async function launchChromium(options: { bypassCSP?: boolean } = {}): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium package, or set MARL_DSE_SKIP_BROWSER=1`);
  const profile = mkdtempSync(join(tmpdir(), 'marl-dse-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    timeout: 60_000,
    bypassCSP: options.bypassCSP ?? false,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Evaluation `index` with its config padded to about `padBytes` (for volume tests). */
export function paddedEvaluation(index: number, padBytes: number): EvaluationRecord {
  const e = evaluation(index);
  return { ...e, config: { ...e.config, Padding: 'x'.repeat(padBytes) } };
}

type Msg<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** A WebSocket client that keeps every message it receives, in order. */
export class TestClient {
  readonly messages: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as ServerMessage);
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('close', () => {
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('error', () => {});
  }

  /** Connects to the server's page URL (its /ws endpoint, with the page's token if any). */
  static async connect(pageUrl: string, opts: { token?: string | null; origin?: string } = {}): Promise<TestClient> {
    const url = new URL(pageUrl);
    const token = opts.token === undefined ? url.searchParams.get('token') : opts.token;
    const ws = new WebSocket(`ws://${url.host}/ws${token ? `?token=${token}` : ''}`, opts.origin ? { origin: opts.origin } : {});
    // Listening before the socket opens: the server's hello can arrive with the handshake.
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message));
  }

  of<T extends ServerMessage['type']>(type: T): Array<Msg<T>> {
    return this.messages.filter((m): m is Msg<T> => m.type === type);
  }

  /** Resolves when `predicate` holds for the messages so far (checked on each new one). */
  async until(predicate: (messages: ServerMessage[]) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.messages)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; last messages: ${JSON.stringify(this.messages.slice(-3)).slice(0, 600)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The next message of `type` after the first `after` messages. */
  async next<T extends ServerMessage['type']>(type: T, after = 0, timeoutMs = 20_000): Promise<Msg<T>> {
    const find = (): Msg<T> | undefined => this.messages.slice(after).find((m): m is Msg<T> => m.type === type);
    await this.until(() => find() !== undefined, `a "${type}" message`, timeoutMs);
    return find()!;
  }

  /** Evaluation indices received for a run (snapshot and live), in arrival order. */
  evaluationIndices(runId: number): number[] {
    const out: number[] = [];
    for (const m of this.messages) {
      if (m.type === 'snapshot' && m.run.id === runId) out.push(...m.evaluations.map((e) => e.index));
      if (m.type === 'evaluations' && m.runId === runId) out.push(...m.evaluations.map((e) => e.index));
    }
    return out;
  }

  close(): void {
    this.ws.close();
  }
}

export type SearchChild = ChildProcessByStdio<null, Readable, Readable> & { exited: Promise<number | null>; stderrText(): string; stdoutText(): string };

/** `marl-dse search …` in a child process, from the build. */
export function spawnSearch(args: string[]): SearchChild {
  requireBuild();
  const proc = spawn(process.execPath, [CLI, 'search', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MARL_DSE_DEBUG: '1' } });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  return Object.assign(proc, { exited, stderrText: () => err, stdoutText: () => out });
}

/** Resolves with the first match of `pattern` in what `read` returns, polling. */
export async function waitForText(read: () => string, pattern: RegExp, what: string, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = pattern.exec(read());
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${read().slice(-500)}`);
    await sleep(50);
  }
}
