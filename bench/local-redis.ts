/**
 * A throwaway redis-server for a test file or a benchmark: its own free loopback port and folder,
 * stopped (and restartable) at will, and killed when the process exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export class LocalRedis {
  private proc: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), 'marl-dse-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<LocalRedis> {
    const r = new LocalRedis(await freePort());
    await r.startServer();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts redis-server (again, after `stop`) on the same port; resolves once it answers. */
  async startServer(): Promise<void> {
    const proc = spawn(REDIS_SERVER, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], {
      stdio: 'ignore',
    });
    this.proc = proc;
    // Even if the test process dies, leave no server behind.
    process.once('exit', () => proc.kill('SIGKILL'));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}`);
      if (await this.ping()) return;
      if (Date.now() > deadline) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Kills the server without saving (everything in it is lost). */
  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A plain client for inspecting and flushing. */
  client(): Redis {
    const c = new Redis({ host: '127.0.0.1', port: this.port, maxRetriesPerRequest: null });
    c.on('error', () => {}); // Expected while the server is restarted.
    return c;
  }

  /** PING over a plain socket: answers +PONG once redis-server accepts commands. */
  private ping(): Promise<boolean> {
    return new Promise((resolve) => {
      const sock = connect(this.port, '127.0.0.1');
      let reply = '';
      const done = (ok: boolean): void => {
        sock.destroy();
        resolve(ok);
      };
      sock.setTimeout(1000, () => done(false));
      sock.on('error', () => done(false));
      sock.on('connect', () => sock.write('PING\r\n'));
      sock.on('data', (d) => {
        reply += d.toString();
        if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
      });
    });
  }
}
