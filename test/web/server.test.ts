/**
 * The dashboard server against real WebSocket clients: the run list, snapshots and live events while
 * a real search (a child process) writes the store, late subscribers, bad messages, slow clients,
 * the token and origin checks.
 */
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../common/errors.js';
import { CLOSE_IDLE, CLOSE_TOO_SLOW } from '../../src/server/client.js';
import { encode, MAX_CLIENT_MESSAGE_BYTES, PROTOCOL_VERSION } from '../../src/server/protocol.js';
import { toEvaluationEvent } from '../../src/server/shape.js';
import { evaluationsMessage, StoreTail } from '../../src/server/tail.js';
import { type DashboardServer, startServer } from '../../src/server/server.js';
import { RunStore } from '../../src/store/store.js';
import { evaluation, newRun, paddedEvaluation, requireBuild, sleep, spawnSearch, tempDir, TestClient } from './fixtures.js';

const dir = tempDir('server');
const v = PROTOCOL_VERSION;

/** A store with two finished runs of a few evaluations each. */
function smallStore(name: string): { path: string; ids: number[] } {
  const path = join(dir, name);
  const store = RunStore.open(path);
  const ids = [store.createRun(newRun({ agent: 'random', seed: 1 })), store.createRun(newRun({ agent: 'ga', seed: 2, objective: 'pareto' }))];
  for (const id of ids) {
    store.appendEvaluations(id, [0, 1, 2].map((i) => evaluation(i)));
    store.appendAgentStats(id, 3, { loss: 0.5, distributions: [[0.25, 0.75], [0.2, 0.3, 0.5]] });
    store.setStatus(id, 'finished', { bestValue: 1000, bestIndex: 0, evaluationsToTarget: null, simulations: 3, wallSeconds: 1 });
  }
  store.close();
  return { path, ids };
}

const servers: DashboardServer[] = [];
async function serve(db: string, opts: Partial<Parameters<typeof startServer>[0]> = {}): Promise<DashboardServer> {
  const server = await startServer({ db, port: 0, pollMs: 50, ...opts });
  servers.push(server);
  return server;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('HTTP', () => {
  let server: DashboardServer;
  beforeAll(async () => {
    server = await serve(smallStore('http.sqlite').path);
  });

  it('serves the page, its modules and d3 from the installed package', async () => {
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain('/vendor/d3.min.js');
    for (const path of ['app.js', 'data.js', 'socket.js', 'charts/scatter.js', 'style.css']) {
      const res = await fetch(new URL(path, server.url));
      expect(res.status, path).toBe(200);
    }
    const d3 = await fetch(new URL('/vendor/d3.min.js', server.url));
    expect(d3.headers.get('content-type')).toMatch(/javascript/);
    expect(await d3.text()).toMatch(/d3js\.org v7/);
  });

  it('serves nothing else', async () => {
    for (const path of ['/package.json', '/../package.json', '/%2e%2e/package.json', '/web/index.html', '/vendor/', '/src/server/server.ts']) {
      expect((await fetch(new URL(path, server.url))).status, path).toBe(404);
    }
    const post = await fetch(server.url, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers a request target that is not a URL path with 400, on the page and the socket, and keeps serving', async () => {
    const raw = (request: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const sock = connect(server.port, '127.0.0.1');
        let reply = '';
        sock.on('data', (d) => (reply += d.toString()));
        sock.on('end', () => resolve(reply));
        sock.on('close', () => resolve(reply));
        sock.on('error', reject);
        sock.write(request);
      });
    const upgrade = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
    for (const target of ['//[', '//:99999/', 'http://a:b@/x']) {
      expect(await raw(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`), target).toMatch(/^HTTP\/1\.1 400 /);
      expect(await raw(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${upgrade}\r\n`), `upgrade ${target}`).toMatch(/^HTTP\/1\.1 400 /);
    }
    expect((await fetch(server.url)).status).toBe(200);
  });

  it('answers only to localhost names (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/', headers: { host: `evil.example:${server.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});

describe('protocol', () => {
  let server: DashboardServer;
  let ids: number[];
  beforeAll(async () => {
    const s = smallStore('protocol.sqlite');
    ids = s.ids;
    server = await serve(s.path);
  });

  it('greets with the protocol version and lists the runs, newest first', async () => {
    const c = await TestClient.connect(server.url);
    const hello = await c.next('hello');
    expect(hello).toMatchObject({ version: v, server: 'marl-dse', maxMessageBytes: MAX_CLIENT_MESSAGE_BYTES });
    // The metric registry, for the page to label and rank what it draws.
    expect(hello.metrics.find((m) => m.name === 'bandwidthGBps')).toEqual({ name: 'bandwidthGBps', label: 'bandwidth', unit: 'GB/s', direction: 'max', objective: 'bandwidth', event: 'bandwidthGBps' });
    c.send({ type: 'list-runs', version: v });
    const { runs } = await c.next('runs');
    expect(runs.map((r) => r.id)).toEqual([...ids].reverse());
    expect(runs[0]).toMatchObject({ agent: 'ga', objective: 'pareto', direction: 'max', unit: 'normalised hypervolume', status: 'finished', evaluations: 3, budget: 100 });
    expect(runs[1]).toMatchObject({ agent: 'random', direction: 'min', unit: 'mW' });
    c.close();
  });

  it('answers bad messages with an error and keeps serving that client and the others', async () => {
    const a = await TestClient.connect(server.url);
    await a.next('hello');
    const cases: Array<[string | Buffer, RegExp]> = [
      ['not json {', /invalid JSON/],
      ['[1,2]', /JSON object/],
      ['{"version":1}', /missing "type"/],
      [JSON.stringify({ type: 'launch-missiles', version: v }), /unknown message type "launch-missiles"/],
      [JSON.stringify({ type: 'subscribe', runs: [1] }), /unsupported protocol version/],
      [JSON.stringify({ type: 'subscribe', version: 99, runs: [1] }), /unsupported protocol version 99/],
      [JSON.stringify({ type: 'subscribe', version: v, runs: 'all' }), /subscribe: runs/],
      [JSON.stringify({ type: 'subscribe', version: v, runs: [1], extra: true }), /subscribe/],
      [JSON.stringify({ type: 'subscribe', version: v, runs: [987654] }), /run 987654: no such run/],
      [JSON.stringify({ type: 'list-runs', version: v, padding: 'x'.repeat(MAX_CLIENT_MESSAGE_BYTES) }), /message too large/],
      [Buffer.from([1, 2, 3]), /binary messages/],
    ];
    for (const [message, reason] of cases) {
      const before = a.messages.length;
      a.send(message);
      const error = await a.next('error', before);
      expect(error.reason, String(message).slice(0, 80)).toMatch(reason);
      expect(error.version).toBe(v);
    }
    // The same client is still served…
    const before = a.messages.length;
    a.send({ type: 'list-runs', version: v });
    expect((await a.next('runs', before)).runs).toHaveLength(2);
    // …and so is another.
    const b = await TestClient.connect(server.url);
    b.send({ type: 'subscribe', version: v, runs: [ids[0]] });
    expect((await b.next('snapshot')).evaluations).toHaveLength(3);
    // Beyond the hard limit, the connection is closed with ws's "message too big".
    a.send('x'.repeat(2 * 1024 * 1024));
    expect((await a.closed).code).toBe(1009);
    const c = await TestClient.connect(server.url);
    c.send({ type: 'list-runs', version: v });
    expect((await c.next('runs')).runs).toHaveLength(2);
    b.close();
    c.close();
  });

  it('survives garbage on the wire: broken frames, broken handshakes', async () => {
    const { connect } = await import('node:net');
    const a = await TestClient.connect(server.url);
    await a.next('hello');
    // An unmasked frame with a reserved opcode: a protocol error for ws, which closes that connection only.
    (a.ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(Buffer.from([0x8f, 0x00, 0xff, 0xff]));
    expect([1002, 1006]).toContain((await a.closed).code);
    for (const junk of ['GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n', '\x00\x01\x02 not http at all\r\n\r\n']) {
      const socket = connect(server.port, '127.0.0.1');
      socket.on('error', () => {});
      socket.resume(); // read the server's answer, so its end (and the close) arrives
      socket.end(junk);
      await new Promise((r) => socket.once('close', r));
    }
    const b = await TestClient.connect(server.url);
    b.send({ type: 'list-runs', version: v });
    expect((await b.next('runs')).runs).toHaveLength(2);
    b.close();
  });

  it('subscribes and unsubscribes; subscribing again sends a fresh snapshot', async () => {
    const c = await TestClient.connect(server.url);
    c.send({ type: 'subscribe', version: v, runs: ids });
    await c.until((ms) => ms.filter((m) => m.type === 'snapshot').length === 2, 'two snapshots');
    const snap = c.of('snapshot')[0];
    expect(snap.space?.parameters.map((p) => p.name)).toContain('PagePolicy');
    // Each parameter names its subsystem: the page groups its axes by it.
    expect(snap.space?.parameters.find((p) => p.name === 'RefreshMaxPostponed')?.subsystem).toBe('refresh');
    expect(snap.run.unit).toBe(snap.run.objective === 'pareto' ? 'normalised hypervolume' : 'mW');
    expect(snap.space?.base).toMatchObject({ PagePolicy: 'Open', Scheduler: 'Fifo' });
    expect(snap.agentStats).toEqual([{ evaluations: 3, scalars: { loss: 0.5 }, distributions: [[0.25, 0.75], [0.2, 0.3, 0.5]] }]);
    expect(snap.evaluations[1]).toMatchObject({ index: 1, powerMw: 1001, latencyNs: 50_001, value: 1001 });
    const n = c.messages.length;
    c.send({ type: 'unsubscribe', version: v, runs: [ids[0]] });
    expect((await c.next('unsubscribed', n)).runs).toEqual([ids[0]]);
    c.send({ type: 'subscribe', version: v, runs: [ids[1]] });
    expect((await c.next('snapshot', n)).run.id).toBe(ids[1]);
    c.close();
  });
});

describe('live runs', () => {
  const db = join(dir, 'live.sqlite');
  const budget = 120;
  let server: DashboardServer;
  let runId: number;
  let early: TestClient;

  beforeAll(async () => {
    requireBuild();
    RunStore.open(db).close();
    server = await serve(db);
  });

  it('sends a snapshot on subscribe, then every evaluation, agent report and status change as a real search writes them', async () => {
    early = await TestClient.connect(server.url);
    const search = spawnSearch(['--agent', 'marl', '--trace', 'builtin:cloud-1', '--objective', 'latency', '--budget', String(budget), '--seed', '3', '--db', db]);
    // list-runs rereads the list: ask until the search has created its run.
    for (;;) {
      const before = early.messages.length;
      early.send({ type: 'list-runs', version: v });
      const { runs } = await early.next('runs', before);
      if (runs.length > 0) {
        runId = runs[0].id;
        break;
      }
      if (search.exitCode !== null) throw new Error(`search exited: ${search.stderrText()}`);
      await sleep(50);
    }
    early.send({ type: 'subscribe', version: v, runs: [runId] });
    const snapshot = await early.next('snapshot');
    expect(snapshot.run).toMatchObject({ id: runId, agent: 'marl', objective: 'latency', unit: 'ns', status: 'running', budget });
    await early.until((ms) => ms.some((m) => m.type === 'run-status' && m.run.status === 'finished'), 'the run to finish', 60_000);
    expect(await search.exited).toBe(0);

    const indices = early.evaluationIndices(runId);
    expect(indices).toEqual([...Array(budget).keys()]);
    // It was live: most evaluations came after the snapshot, in several messages.
    expect(snapshot.evaluations.length).toBeLessThan(budget);
    expect(early.of('evaluations').length).toBeGreaterThan(2);
    // The status comes after the evaluations it summarises.
    const finishedAt = early.messages.findIndex((m) => m.type === 'run-status' && m.run.status === 'finished');
    expect(early.messages.slice(finishedAt + 1).some((m) => m.type === 'evaluations')).toBe(false);

    // What was sent is what the store holds.
    const store = RunStore.open(db, { readonly: true });
    const stored = store.evaluations(runId);
    const storedStats = store.agentStats(runId);
    store.close();
    const sent = [...snapshot.evaluations, ...early.of('evaluations').flatMap((m) => m.evaluations)];
    expect(sent.map((e) => [e.value, e.powerMw, e.latencyNs])).toEqual(stored.map((e) => [e.value, e.stats.averagePowerMw, e.stats.totalTimeNs]));
    const reports = [...snapshot.agentStats, ...early.of('agent-stats').flatMap((m) => m.agentStats)];
    expect(reports.map((r) => r.evaluations)).toEqual(storedStats.map((r) => r.evaluations));
    // MARL reports each parameter's action distribution: 10 parameters, each summing to 1.
    const last = reports[reports.length - 1];
    expect(last.distributions).toHaveLength(10);
    for (const d of last.distributions!) expect(d.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  }, 90_000);

  it('a late subscriber sees the whole run', async () => {
    const late = await TestClient.connect(server.url);
    late.send({ type: 'subscribe', version: v, runs: [runId] });
    const snapshot = await late.next('snapshot');
    expect(snapshot.run).toMatchObject({ status: 'finished', evaluations: budget });
    expect(snapshot.evaluations.map((e) => e.index)).toEqual([...Array(budget).keys()]);
    const earlyReports = [...early.of('snapshot')[0].agentStats, ...early.of('agent-stats').flatMap((m) => m.agentStats)];
    expect(snapshot.agentStats).toEqual(earlyReports);
    // Three polls later, nothing more has come: the snapshot of a finished run is the whole run.
    const lateInfo = () => server.clients().find((c) => c.subscriptions.includes(runId) && c.id === Math.max(...server.clients().map((x) => x.id)))!;
    const polls = lateInfo().polls;
    await late.until(() => lateInfo().polls >= polls + 3, 'three polls');
    expect(late.of('evaluations')).toHaveLength(0);
    late.close();
    early.close();
  });
});

describe('slow clients', () => {
  const HIGH_WATER = 256 * 1024;

  it('a client that stops reading costs bounded memory, misses nothing, and catches up when it reads again', async () => {
    const db = join(dir, 'slow.sqlite');
    const writer = RunStore.open(db);
    const runId = writer.createRun(newRun({ budget: 12_000 }));
    const server = await serve(db, { pollMs: 20, maxBufferedBytes: HIGH_WATER, slowClientTimeoutMs: 600_000 });
    const slow = await TestClient.connect(server.url);
    const fast = await TestClient.connect(server.url);
    for (const c of [slow, fast]) {
      c.send({ type: 'subscribe', version: v, runs: [runId] });
      await c.next('snapshot');
    }
    slow.ws.pause();

    const total = 12_000;
    const pad = 2000; // ~2.2 KB a message entry: ~26 MB in all, far beyond socket buffers
    for (let i = 0; i < total; i += 150) {
      writer.appendEvaluations(runId, Array.from({ length: 150 }, (_, k) => paddedEvaluation(i + k, pad)));
      await sleep(8);
    }
    await fast.until(() => fast.evaluationIndices(runId).length === total, 'the fast client to get everything', 60_000);
    expect(fast.evaluationIndices(runId)).toEqual([...Array(total).keys()]);

    const info = server.clients().find((c) => c.id === Math.min(...server.clients().map((x) => x.id)))!;
    expect(info.stale).toBe(true);
    console.log(`slow client: at most ${info.maxBufferedAmount} bytes buffered by the server for it, of ~${Math.round((total * pad) / 1e6)} MB written`);
    // Bounded by the high-water mark plus one message (a quarter of it, or one evaluation), not by the 26 MB written.
    expect(info.maxBufferedAmount).toBeLessThanOrEqual(HIGH_WATER + HIGH_WATER / 4 + pad + 1024);

    slow.ws.resume();
    await slow.until(() => slow.evaluationIndices(runId).length === total, 'the slow client to catch up', 60_000);
    expect(slow.evaluationIndices(runId)).toEqual([...Array(total).keys()]);
    expect(slow.of('resync').length).toBeGreaterThanOrEqual(1);
    expect(slow.of('resync')[0]).toMatchObject({ runs: [runId] });
    writer.close();
    slow.close();
    fast.close();
  }, 120_000);

  it('a client that stays too slow is closed with a reason; the others are still served', async () => {
    const db = join(dir, 'stuck.sqlite');
    const writer = RunStore.open(db);
    const runId = writer.createRun(newRun());
    // Large messages beside a small buffer: the stuck client falls behind at once, the other catches up in few polls.
    const server = await serve(db, { pollMs: 20, maxBufferedBytes: 64 * 1024, maxMessageBytes: 512 * 1024, slowClientTimeoutMs: 300 });
    const stuck = await TestClient.connect(server.url);
    stuck.send({ type: 'subscribe', version: v, runs: [runId] });
    await stuck.next('snapshot');
    stuck.ws.pause();
    for (let i = 0; i < 4000; i += 200) {
      writer.appendEvaluations(runId, Array.from({ length: 200 }, (_, k) => paddedEvaluation(i + k, 4000)));
      await sleep(10);
    }
    const deadline = Date.now() + 90_000;
    while (server.clients().length > 0 && Date.now() < deadline) await sleep(50);
    expect(server.clients()).toHaveLength(0);
    stuck.ws.resume();
    const { code } = await stuck.closed;
    // The close frame (with its reason) is queued behind the unread data; a socket cut first reads as 1006.
    expect([CLOSE_TOO_SLOW, 1006]).toContain(code);
    const other = await TestClient.connect(server.url);
    other.send({ type: 'subscribe', version: v, runs: [runId] });
    await other.until(() => other.evaluationIndices(runId).length === 4000, 'the whole run', 60_000);
    other.close();
    writer.close();
  }, 180_000);
});

describe('bounded connections', () => {
  it('refuses connections beyond the limit with 503, and takes new ones when others leave', async () => {
    const server = await serve(smallStore('limit.sqlite').path, { maxClients: 2 });
    const a = await TestClient.connect(server.url);
    const b = await TestClient.connect(server.url);
    await expect(TestClient.connect(server.url)).rejects.toThrow(/HTTP 503/);
    a.close();
    await a.closed;
    const deadline = Date.now() + 5000;
    while (server.clients().length > 1 && Date.now() < deadline) await sleep(20);
    const c = await TestClient.connect(server.url);
    await c.next('hello');
    b.close();
    c.close();
  });

  it('a client that only asks for the run list and never reads is closed after the timeout too', async () => {
    const path = join(dir, 'many-runs.sqlite');
    const store = RunStore.open(path);
    for (let i = 0; i < 300; i++) store.createRun(newRun({ seed: i + 1 }));
    store.close();
    const server = await serve(path, { maxBufferedBytes: 64 * 1024, slowClientTimeoutMs: 300 });
    const stuck = await TestClient.connect(server.url);
    await stuck.next('hello');
    stuck.ws.pause();
    // ~100 KB a reply: far beyond the socket buffers and the server's high-water mark.
    for (let i = 0; i < 300; i++) stuck.send({ type: 'list-runs', version: v });
    const deadline = Date.now() + 20_000;
    while (server.clients().length > 0 && Date.now() < deadline) await sleep(50);
    expect(server.clients()).toHaveLength(0);
    stuck.ws.resume();
    await stuck.closed;
  }, 30_000);
});

describe('access', () => {
  const db = join(dir, 'access.sqlite');
  beforeAll(() => smallStore('access.sqlite'));

  it('requires a given token for the page and the socket, even on localhost', async () => {
    const server = await serve(db, { host: '127.0.0.1', token: 'secret-token-1' });
    expect(server.url).toMatch(/\?token=secret-token-1$/);
    const base = server.url.replace(/\?.*$/, '');
    expect((await fetch(base)).status).toBe(401);
    expect((await fetch(`${base}?token=secret-token-2`)).status).toBe(401);
    expect((await fetch(server.url)).status).toBe(200);
    // Scripts and styles hold no data.
    expect((await fetch(`${base}app.js`)).status).toBe(200);
    await expect(TestClient.connect(server.url, { token: null })).rejects.toThrow('HTTP 401');
    await expect(TestClient.connect(server.url, { token: 'wrong-token-1' })).rejects.toThrow('HTTP 401');
    const c = await TestClient.connect(server.url);
    expect((await c.next('hello')).server).toBe('marl-dse');
    c.close();
  });

  it('generates a token when bound beyond loopback', async () => {
    const server = await serve(db, { host: '0.0.0.0' });
    expect(server.token).toMatch(/^[\w-]{20,}$/);
    expect(server.url).toContain(`?token=${server.token}`);
    const local = `http://127.0.0.1:${server.port}/`;
    expect((await fetch(local)).status).toBe(401);
    expect((await fetch(`${local}?token=${server.token}`)).status).toBe(200);
    await expect(TestClient.connect(local, { token: null })).rejects.toThrow('HTTP 401');
    const c = await TestClient.connect(`${local}?token=${server.token}`);
    await c.next('hello');
    c.close();
  });

  it('refuses sockets opened by another origin', async () => {
    const server = await serve(db);
    await expect(TestClient.connect(server.url, { origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    const own = await TestClient.connect(server.url, { origin: `http://127.0.0.1:${server.port}` });
    await own.next('hello');
    own.close();
  });

  it('refuses bad options with one-line input errors', async () => {
    await expect(startServer({ db: join(dir, 'missing.sqlite'), port: 0 })).rejects.toThrow(/no such run store/);
    await expect(startServer({ db, port: 0, token: 'short' })).rejects.toBeInstanceOf(InputError);
    await expect(startServer({ db, port: 70000 })).rejects.toThrow(/--port 70000/);
    const busy = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => busy.once('listening', r));
    const port = (busy.address() as { port: number }).port;
    await expect(startServer({ db, port })).rejects.toThrow(/already in use/);
    busy.close();
  });
});

describe('bounded messages', () => {
  it('an evaluations message holds what fits, as the same text encode gives; a snapshot keeps data as it is', () => {
    const events = [0, 1, 2, 3].map((i) => toEvaluationEvent(paddedEvaluation(i, 100)));
    const one = JSON.stringify(events[0]).length;
    const { text, count } = evaluationsMessage(7, events, 2 * one + 100);
    expect(count).toBe(2);
    expect(text).toBe(encode({ type: 'evaluations', version: v, runId: 7, evaluations: events.slice(0, 2) }));
    // A single evaluation larger than the limit still goes out, alone.
    expect(evaluationsMessage(7, events, 10).count).toBe(1);
    const path = join(dir, 'dollars.sqlite');
    const store = RunStore.open(path);
    const id = store.createRun(newRun());
    const e = evaluation(0);
    store.appendEvaluations(id, [{ ...e, config: { ...e.config, Note: "$& $' $1 $$" } }]);
    const snap = new StoreTail(store, 64 * 1024).snapshot(id)!;
    store.close();
    expect((JSON.parse(snap.text) as { evaluations: Array<{ config: Record<string, string> }> }).evaluations[0].config.Note).toBe("$& $' $1 $$");
  });
});

describe('hostile clients', () => {
  /** A store with one finished run of `n` evaluations. */
  function bigStore(name: string, n: number): { path: string; runId: number } {
    const path = join(dir, name);
    const store = RunStore.open(path);
    const runId = store.createRun(newRun({ budget: n }));
    for (let i = 0; i < n; i += 1000) store.appendEvaluations(runId, Array.from({ length: Math.min(1000, n - i) }, (_, k) => evaluation(i + k)));
    for (let i = 8; i <= n; i += 8) store.appendAgentStats(runId, i, { loss: i, distributions: [[0.5, 0.5]] });
    store.setStatus(runId, 'finished', { bestValue: 1000, bestIndex: 0, evaluationsToTarget: null, simulations: n, wallSeconds: 1 });
    store.close();
    return { path, runId };
  }
  const MESSAGE_BYTES = 64 * 1024;
  const big = bigStore('big.sqlite', 20_000);
  const infoOf = (server: DashboardServer, id: number) => server.clients().find((c) => c.id === id)!;

  it('subscribe/unsubscribe churn on a large run costs a few messages, and a normal client is answered before the churner gets more', async () => {
    const server = await serve(big.path, { maxBufferedBytes: 4 * MESSAGE_BYTES, maxMessageBytes: MESSAGE_BYTES });
    const churner = await TestClient.connect(server.url);
    await churner.next('hello');
    const churnerId = Math.max(...server.clients().map((c) => c.id));
    for (let i = 0; i < 100; i++) {
      churner.send({ type: 'subscribe', version: v, runs: [big.runId] });
      churner.send({ type: 'unsubscribe', version: v, runs: [big.runId] });
    }
    const normal = await TestClient.connect(server.url);
    await normal.next('hello');
    const before = infoOf(server, churnerId).bytesSent;
    normal.send({ type: 'list-runs', version: v });
    expect((await normal.next('runs')).runs.map((r) => r.id)).toEqual([big.runId]);
    // Between the normal client's request and its answer the server did at most one poll's share for the churner.
    expect(infoOf(server, churnerId).bytesSent - before).toBeLessThanOrEqual(2 * MESSAGE_BYTES + 4096);
    expect((await fetch(server.url)).status).toBe(200);
    // Every message of the churner was handled (acted on, or refused for coming too fast)…
    await churner.until(() => infoOf(server, churnerId).messages + infoOf(server, churnerId).refused === 200, 'the churn to be handled');
    const churned = infoOf(server, churnerId);
    expect(churned.refused).toBeGreaterThan(0);
    expect(churner.of('error').some((m) => /too many messages|subscribing too fast/.test(m.reason))).toBe(true);
    // …and what it was sent is a few bounded messages, not 100 snapshots of 20,000 evaluations (~10 MB each).
    expect(churned.bytesSent).toBeLessThan(40 * MESSAGE_BYTES);
    // A client that subscribes once still gets the whole run, a bounded message at a time.
    normal.send({ type: 'subscribe', version: v, runs: [big.runId] });
    await normal.until(() => normal.evaluationIndices(big.runId).length === 20_000, 'the whole run', 60_000);
    expect(normal.evaluationIndices(big.runId)).toEqual([...Array(20_000).keys()]);
    churner.close();
    normal.close();
  }, 90_000);

  it('subscribed clients that stop reading each cost at most the high-water mark plus one message; the others are served', async () => {
    const highWater = 4 * MESSAGE_BYTES;
    const server = await serve(big.path, { maxBufferedBytes: highWater, maxMessageBytes: MESSAGE_BYTES, slowClientTimeoutMs: 600_000, heartbeatMs: 600_000 });
    const stuck = await Promise.all(Array.from({ length: 16 }, () => TestClient.connect(server.url)));
    for (const c of stuck) {
      c.ws.pause();
      c.send({ type: 'subscribe', version: v, runs: [big.runId] });
    }
    await stuck[0].until(() => server.clients().filter((c) => c.stale).length === stuck.length, 'every stuck client to fall behind', 60_000);
    for (const info of server.clients()) expect(info.maxBufferedAmount).toBeLessThanOrEqual(highWater + MESSAGE_BYTES + 1024);
    const normal = await TestClient.connect(server.url);
    normal.send({ type: 'subscribe', version: v, runs: [big.runId] });
    expect((await normal.next('snapshot')).run.id).toBe(big.runId);
    for (const c of [...stuck, normal]) c.ws.terminate();
  }, 90_000);

  it('connections that ask for nothing are closed after the idle timeout, so they cannot keep others out', async () => {
    const server = await serve(smallStore('idle.sqlite').path, { maxClients: 4, idleTimeoutMs: 1000 });
    const idle = await Promise.all(Array.from({ length: 4 }, () => TestClient.connect(server.url)));
    for (const c of idle) expect((await c.closed).code).toBe(CLOSE_IDLE);
    expect(server.clients()).toHaveLength(0);
    const normal = await TestClient.connect(server.url);
    normal.send({ type: 'list-runs', version: v });
    expect((await normal.next('runs')).runs).toHaveLength(2);
    normal.close();
  });

  it('with every place taken, the connection quiet longest makes room for a new one', async () => {
    const s = smallStore('room.sqlite');
    const server = await serve(s.path, { maxClients: 3, idleTimeoutMs: 300 });
    const quiet = [];
    for (let i = 0; i < 3; i++) {
      const c = await TestClient.connect(server.url);
      c.send({ type: 'subscribe', version: v, runs: [s.ids[0]] });
      await c.next('snapshot');
      quiet.push(c);
    }
    // The first is quiet longest; the others keep talking.
    let joined: TestClient | null = null;
    while (joined === null) {
      for (const c of quiet.slice(1)) c.send({ type: 'list-runs', version: v });
      joined = await TestClient.connect(server.url).catch(() => null);
      if (joined === null) await sleep(50);
    }
    expect((await quiet[0].closed).code).toBe(CLOSE_IDLE);
    expect(server.clients()).toHaveLength(3);
    await joined.next('hello');
    for (const c of [joined, ...quiet.slice(1)]) c.close();
  });

  it('a connection that stops reading altogether stops answering pings, and is cut', async () => {
    const server = await serve(smallStore('deaf.sqlite').path, { heartbeatMs: 100 });
    const deaf = await TestClient.connect(server.url);
    deaf.send({ type: 'list-runs', version: v });
    await deaf.next('runs');
    deaf.ws.pause();
    await deaf.until(() => server.clients().length === 0, 'the server to cut it');
    deaf.ws.resume();
    expect((await deaf.closed).code).toBe(1006); // cut, without a closing handshake it could not read
  });
});
