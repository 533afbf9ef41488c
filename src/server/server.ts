/**
 * The dashboard server: one HTTP server for the page and its assets, with the WebSocket endpoint
 * `/ws` on the same port. It reads the run store through its own read-only connection and polls it
 * for what searches commit, so it serves a search in this process (`search --serve`) and one in
 * another (`marl-dse serve`) alike.
 *
 * Security: it binds to 127.0.0.1 unless told otherwise. On a loopback address it refuses requests
 * whose Host is not a loopback name (DNS rebinding) and WebSocket upgrades from another origin (any
 * web page may open a WebSocket to localhost). On any other address a token is required, for the
 * page (`?token=`) and for the socket; a token given explicitly is required on loopback too.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { InputError } from '../../common/errors.js';
import { metricsInfo } from '../metrics.js';
import { RunStore } from '../store/store.js';
import { CLOSE_IDLE, type ClientInfo, type ClientLimits, DashboardClient, SUBSCRIBE_BURST, SUBSCRIBES_PER_SECOND } from './client.js';
import { ComparisonWatch } from './comparison.js';
import { type ClientMessage, encode, MAX_CLIENT_MESSAGE_BYTES, MAX_SUBSCRIPTIONS, parseClientMessage, PROTOCOL_VERSION, type RunInfo } from './protocol.js';
import { sameRunList } from './shape.js';
import { HTML, readStatic, type StaticFile, staticRoutes } from './static.js';
import { StoreTail } from './tail.js';

export const DEFAULT_PORT = 8765;
export const DEFAULT_HOST = '127.0.0.1';
/** How often the store is read for new evaluations of subscribed runs. */
export const DEFAULT_POLL_MS = 150;
/** Runs in the run list (newest first). */
const RUN_LIST_LIMIT = 500;
/** The run list (all runs' counters) is re-read at most this often. */
const RUN_LIST_EVERY_MS = 1000;
/** Beyond this, ws closes the connection (1009); up to it, an oversized message gets an error reply. */
const HARD_MAX_PAYLOAD = 1024 * 1024;
const TOKEN_PATTERN = /^[A-Za-z0-9._~-]{8,256}$/;
/** Each connection may hold up to its send buffer's high-water mark: their number is bounded too. */
const DEFAULT_MAX_CLIENTS = 64;

export interface ServerOptions {
  /** The run store to serve (it must exist). */
  readonly db: string;
  /** 0: any free port. Default DEFAULT_PORT. */
  readonly port?: number;
  /** Default 127.0.0.1. Any other interface requires a token (generated when not given). */
  readonly host?: string;
  readonly token?: string;
  readonly pollMs?: number;
  /** Per-client send-buffer high-water mark (default 1 MiB). */
  readonly maxBufferedBytes?: number;
  /** What one message to a client may hold, about (default a quarter of the high-water mark). */
  readonly maxMessageBytes?: number;
  /** A client over the high-water mark this long is closed (default 60 s). */
  readonly slowClientTimeoutMs?: number;
  /**
   * A connection that follows nothing (no run, not the run list) and says nothing for this long is
   * closed; with every place taken, the one quiet longest, if quiet this long, makes room for a new
   * one (default 30 s).
   */
  readonly idleTimeoutMs?: number;
  /** Every connection is pinged this often; one that has not answered the previous ping is cut (default 30 s). */
  readonly heartbeatMs?: number;
  /** Open WebSocket connections at most; more are refused with 503 (default 64). */
  readonly maxClients?: number;
}

export interface DashboardServer {
  /** The page's address, with the token when one is required. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly token: string | null;
  /** Open connections (for tests and diagnostics). */
  clients(): ClientInfo[];
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || (/^127(\.\d{1,3}){3}$/.test(h) && h.split('.').every((o) => Number(o) <= 255));
}

/** A name a browser can reach the server by, for the printed URL. */
function displayHost(host: string): string {
  let shown = host;
  if (host === '0.0.0.0' || host === '::') {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal);
    shown = external?.address ?? '127.0.0.1';
  }
  return shown.includes(':') ? `[${shown}]` : shown;
}

/** The request's path and query, or null for a target that is not a URL path (`//[`, `http://a:b@/`). */
function requestUrl(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return null;
  }
}

function sameToken(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Starts serving `db`; resolves once listening. Bad options and a busy port are InputErrors. */
export async function startServer(opts: ServerOptions): Promise<DashboardServer> {
  const host = opts.host ?? DEFAULT_HOST;
  const port = opts.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`--port ${port}: expected an integer from 0 to 65535`);
  if (opts.token !== undefined && !TOKEN_PATTERN.test(opts.token)) throw new InputError('--token: expected 8 to 256 characters from A-Z a-z 0-9 . _ ~ -');
  const loopback = isLoopback(host);
  const token = opts.token ?? (loopback ? null : randomBytes(18).toString('base64url'));
  const pollMs = opts.pollMs ?? DEFAULT_POLL_MS;
  const maxClients = opts.maxClients ?? DEFAULT_MAX_CLIENTS;
  const limits: ClientLimits = { maxBufferedBytes: opts.maxBufferedBytes ?? 1024 * 1024, slowClientTimeoutMs: opts.slowClientTimeoutMs ?? 60_000 };
  const idleTimeoutMs = opts.idleTimeoutMs ?? 30_000;
  const heartbeatMs = opts.heartbeatMs ?? 30_000;

  const routes = staticRoutes();
  const store = RunStore.open(opts.db, { readonly: true });
  const tail = new StoreTail(store, opts.maxMessageBytes ?? Math.floor(limits.maxBufferedBytes / 4));
  const comparison = new ComparisonWatch(opts.db);
  comparison.read();
  const clients = new Set<DashboardClient>();
  let nextClientId = 1;

  // ---- HTTP ----

  /** The reason to refuse a request, or null. */
  const refusal = (req: IncomingMessage, url: URL, needsToken: boolean): { status: number; reason: string } | null => {
    if (loopback) {
      const hostname = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
      if (!isLoopback(hostname)) return { status: 403, reason: `Host "${req.headers.host ?? ''}" refused: this server answers only to localhost names` };
    }
    if (needsToken && token !== null && !sameToken(url.searchParams.get('token'), token)) {
      return { status: 401, reason: 'missing or wrong token: open the URL the server printed (it ends in ?token=…)' };
    }
    return null;
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const url = requestUrl(req);
    const send = (status: number, body: string | Buffer, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(status, {
        'Content-Type': type,
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        // The token is in the page's URL: never pass it on.
        'Referrer-Policy': 'no-referrer',
        'Content-Security-Policy': "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (url === null) return send(400, 'bad request target\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(405, 'only GET and HEAD\n');
    }
    // A comparison's report: its data, so behind the token like the page.
    const report = url.pathname === '/comparison/report.html' ? comparison.reportPath : null;
    const file: StaticFile | undefined = report !== null ? { path: report, contentType: HTML } : routes.get(url.pathname);
    if (!file) return send(404, 'not found\n');
    // The page carries the token to the socket; the scripts and styles hold no data.
    const refused = refusal(req, url, file.contentType.startsWith('text/html'));
    if (refused) return send(refused.status, refused.reason + '\n');
    try {
      send(200, readStatic(file), file.contentType);
    } catch (e) {
      send(500, `cannot read ${url.pathname}: ${(e as NodeJS.ErrnoException).code ?? 'error'}\n`);
    }
  };

  // A request must arrive whole within seconds: a client that trickles its headers holds a socket, not the server.
  const http = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, onRequest);
  http.on('clientError', (_err, socket) => socket.destroy());

  // ---- WebSocket ----

  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_PAYLOAD, perMessageDeflate: false });

  const reject = (socket: Duplex, status: number, reason: string): void => {
    const text = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' }[status] ?? 'Bad Request';
    socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
  };

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = requestUrl(req);
    if (url === null) return reject(socket, 400, 'bad request target');
    if (url.pathname !== '/ws') return reject(socket, 404, 'the WebSocket endpoint is /ws');
    if (clients.size >= maxClients && !makeRoom(Date.now())) return reject(socket, 503, `too many connections (at most ${maxClients}); close another dashboard tab`);
    const refused = refusal(req, url, true);
    if (refused) return reject(socket, refused.status, refused.reason);
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let originHost: string;
      try {
        originHost = new URL(origin).host;
      } catch {
        originHost = '';
      }
      if (originHost !== req.headers.host) return reject(socket, 403, `origin ${origin} refused: only the dashboard's own page may connect`);
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  /** Closes the connection quiet longest, if it has been quiet for the idle timeout; whether it did. */
  const makeRoom = (now: number): boolean => {
    let quietest: DashboardClient | null = null;
    for (const c of clients) if (quietest === null || c.lastHeardAt < quietest.lastHeardAt) quietest = c;
    if (quietest === null || now - quietest.lastHeardAt < idleTimeoutMs) return false;
    clients.delete(quietest);
    quietest.close(CLOSE_IDLE, `quiet for ${Math.round((now - quietest.lastHeardAt) / 1000)} s while a new connection needed the place`);
    return true;
  };

  const onConnection = (ws: WebSocket): void => {
    const client = new DashboardClient(nextClientId++, ws, limits, Date.now());
    clients.add(client);
    let answered = true;
    ws.on('pong', () => (answered = true));
    const heartbeat = setInterval(() => {
      // One that did not answer the last ping is gone, or no longer reads at all.
      if (!answered) return ws.terminate();
      answered = false;
      ws.ping();
    }, heartbeatMs);
    heartbeat.unref();
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      clearInterval(heartbeat);
      clients.delete(client);
    });
    ws.on('message', (data, isBinary) => {
      if (!client.heard(Date.now())) return;
      try {
        const text = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
        const parsed = parseClientMessage(text, isBinary);
        if (!parsed.ok) client.error(parsed.reason, parsed.request);
        else handle(client, parsed.message);
      } catch (e) {
        // A bug here must cost one reply, not the server.
        client.error(`internal error: ${(e as Error).message.split('\n')[0]}`);
      }
    });
    client.reply({ type: 'hello', version: PROTOCOL_VERSION, server: 'marl-dse', pollMs, maxMessageBytes: MAX_CLIENT_MESSAGE_BYTES, metrics: metricsInfo() });
    const { comparison: current } = comparison.read();
    if (current !== null) client.reply({ type: 'comparison', version: PROTOCOL_VERSION, comparison: current });
  };

  const handle = (client: DashboardClient, message: ClientMessage): void => {
    switch (message.type) {
      case 'list-runs':
        refreshRunList();
        client.wantsRuns = true;
        client.runListSent = runListVersion;
        client.replyText(runListText);
        return;
      case 'subscribe':
        if (!client.maySubscribe(new Set(message.runs).size, Date.now())) {
          client.error(`subscribing too fast: at most ${SUBSCRIBES_PER_SECOND} runs a second (after the first ${SUBSCRIBE_BURST}); try again shortly`, 'subscribe');
          return;
        }
        for (const id of new Set(message.runs)) {
          if (!client.subscriptions.has(id) && client.subscriptions.size >= MAX_SUBSCRIPTIONS) {
            client.error(`run ${id}: too many subscriptions (at most ${MAX_SUBSCRIPTIONS} runs at once)`, 'subscribe');
            continue;
          }
          if (tail.runInfo(id) === null) client.error(`run ${id}: no such run`, 'subscribe');
          else client.subscribe(id);
        }
        client.flush(tail, Date.now());
        return;
      case 'unsubscribe':
        for (const id of message.runs) client.unsubscribe(id);
        client.reply({ type: 'unsubscribed', version: PROTOCOL_VERSION, runs: message.runs });
        return;
    }
  };

  // ---- polling ----

  let runList: RunInfo[] = tail.listRuns(RUN_LIST_LIMIT);
  let runListVersion = 0;
  let runListText = encode({ type: 'runs', version: PROTOCOL_VERSION, runs: runList });
  let runListReadAt = Date.now();

  const refreshRunList = (): void => {
    runListReadAt = Date.now();
    const list = tail.listRuns(RUN_LIST_LIMIT);
    if (sameRunList(list, runList)) return;
    runList = list;
    runListVersion++;
    runListText = encode({ type: 'runs', version: PROTOCOL_VERSION, runs: runList });
  };

  let tickError: string | null = null;
  const tick = (final = false): void => {
    if (clients.size === 0) return;
    const now = Date.now();
    for (const c of [...clients]) {
      c.startPoll();
      if (c.idle && now - c.lastHeardAt > idleTimeoutMs) {
        clients.delete(c);
        c.close(CLOSE_IDLE, `asked for nothing for ${Math.round(idleTimeoutMs / 1000)} s`);
      }
    }
    try {
      const followed = new Set<number>();
      for (const c of clients) for (const id of c.subscriptions.keys()) followed.add(id);
      tail.poll(followed);
      for (const c of clients) c.flush(tail, now);
      if (final || now - runListReadAt >= RUN_LIST_EVERY_MS) {
        refreshRunList();
        const c = comparison.read();
        if (c.changed) for (const client of clients) client.reply({ type: 'comparison', version: PROTOCOL_VERSION, comparison: c.comparison });
      }
      for (const c of clients) c.flushRuns(runListVersion, runListText, now);
      tickError = null;
    } catch (e) {
      // Reported once (not every tick), and retried on the next tick: a store being written is normal, a read failure may pass.
      const reason = `cannot read the run store: ${(e as Error).message.split('\n')[0]}`;
      if (reason !== tickError) for (const c of clients) c.error(reason);
      tickError = reason;
    }
  };
  const timer = setInterval(() => tick(), pollMs);
  timer.unref();

  // ---- listen ----

  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, host, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    clearInterval(timer);
    store.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new InputError(`port ${port} on ${host} is already in use (choose another with --port, or --port 0 for any free one)`);
    if (code === 'EACCES') throw new InputError(`port ${port} on ${host}: permission denied (ports below 1024 need privileges)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw new InputError(`--host ${host}: not an address of this machine`);
    throw e;
  }
  const boundPort = (http.address() as AddressInfo).port;
  const url = `http://${displayHost(host)}:${boundPort}/${token !== null ? `?token=${token}` : ''}`;

  let closed: Promise<void> | null = null;
  return {
    url,
    host,
    port: boundPort,
    token,
    clients: () => [...clients].map((c) => c.info()),
    close: () => {
      closed ??= (async () => {
        clearInterval(timer);
        // What the store got last (a search's final evaluations and status) still goes out, if clients take it soon.
        tick(true);
        const drainBy = Date.now() + 1000;
        while ([...clients].some((c) => c.info().bufferedAmount > 0) && Date.now() < drainBy) await new Promise((r) => setTimeout(r, 20));
        for (const c of clients) c.close(1001, 'server shutting down');
        // Give the closing handshakes a moment, then cut whoever did not answer.
        const deadline = Date.now() + 1000;
        while (clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        for (const ws of wss.clients) ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await new Promise<void>((resolve) => {
          http.close(() => resolve());
          http.closeAllConnections();
        });
        store.close();
      })();
      return closed;
    },
  };
}
