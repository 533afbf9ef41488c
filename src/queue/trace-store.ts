/**
 * Traces travel by content hash: a search publishes each trace once under `marl-dse:trace:<hash>`
 * (its typed arrays as binary fields), and workers fetch it the first time a job names it. The
 * hash is the key, so a trace is stored once however many searches use it, and a worker checks
 * what it fetched against it.
 */
import type { Redis } from 'ioredis';
import type { Trace } from '../../simulators/trace.js';
import { traceHash } from '../../traces/hash.js';
import { traceKey } from './protocol.js';

function bytesOf(a: Float64Array | Uint8Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Stores the trace unless it is already there (another search, or this one before a restart). */
export async function publishTrace(redis: Redis, trace: Trace, hash: string): Promise<boolean> {
  const key = traceKey(hash);
  if ((await redis.exists(key)) === 1) return false;
  // One HSET: a reader sees the whole trace or none of it.
  await redis.hset(key, {
    name: trace.name,
    length: String(trace.length),
    cycle: bytesOf(trace.cycle),
    address: bytesOf(trace.address),
    isWrite: bytesOf(trace.isWrite),
  });
  return true;
}

/** Copies binary into a typed array over shared memory, so worker threads read it without copies. */
function sharedFloat64(buf: Buffer, n: number): Float64Array {
  const out = new Float64Array(new SharedArrayBuffer(n * 8));
  new Uint8Array(out.buffer).set(buf.subarray(0, n * 8));
  return out;
}

function sharedUint8(buf: Buffer, n: number): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(n));
  out.set(buf.subarray(0, n));
  return out;
}

/** Reads a published trace, or undefined if it is not (yet) in Redis. */
export async function readTrace(redis: Redis, hash: string): Promise<Trace | undefined> {
  const f = await redis.hgetallBuffer(traceKey(hash));
  if (!f.length || !f.cycle || !f.address || !f.isWrite) return undefined;
  const n = Number(f.length.toString());
  if (!Number.isInteger(n) || f.cycle.length !== n * 8 || f.address.length !== n * 8 || f.isWrite.length !== n) {
    throw new Error(`trace ${hash} in Redis is malformed`);
  }
  const trace: Trace = {
    name: f.name?.toString() ?? hash.slice(0, 12),
    length: n,
    cycle: sharedFloat64(f.cycle, n),
    address: sharedFloat64(f.address, n),
    isWrite: sharedUint8(f.isWrite, n),
  };
  if (traceHash(trace) !== hash) throw new Error(`trace ${hash} in Redis does not match its hash`);
  return trace;
}

/**
 * Waits for a trace to appear: after a Redis restart the search republishes it, possibly after
 * the jobs that need it reached a worker.
 */
export async function fetchTrace(redis: Redis, hash: string, timeoutMs = 30_000): Promise<Trace> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const t = await readTrace(redis, hash);
    if (t) return t;
    if (Date.now() >= deadline) throw new Error(`trace ${hash} is not in Redis (was the search stopped?)`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
