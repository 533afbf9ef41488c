/** Content hashes of traces: the same requests give the same hash, whatever file or generator they came from. */
import { createHash } from 'node:crypto';
import { chunksOf, type Trace, type TraceSource } from '../simulators/trace.js';

/**
 * SHA-256 over the requests (cycles, addresses, directions), hex. Streams sources chunk by chunk;
 * each column is hashed on its own, so how a trace is split into chunks does not matter.
 */
export function traceHash(trace: Trace | TraceSource): string {
  const cycles = createHash('sha256');
  const addresses = createHash('sha256');
  const writes = createHash('sha256');
  let n = 0;
  for (const c of chunksOf(trace)) {
    cycles.update(new Uint8Array(c.cycle.buffer, c.cycle.byteOffset, c.length * 8));
    addresses.update(new Uint8Array(c.address.buffer, c.address.byteOffset, c.length * 8));
    writes.update(new Uint8Array(c.isWrite.buffer, c.isWrite.byteOffset, c.length));
    n += c.length;
  }
  return createHash('sha256')
    .update(`marl-dse trace v1 ${n}\n`)
    .update(cycles.digest())
    .update(addresses.digest())
    .update(writes.digest())
    .digest('hex');
}
