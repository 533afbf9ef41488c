// A search stand-in for the store's process tests: appends evaluations to an existing run, `batch`
// per transaction, reporting each commit on stdout, until the run holds `total` or it is killed.
// Each evaluation's content encodes its index, so a reader can tell a torn or misplaced row.
// usage: node writer-child.mjs STORE_JS DB RUN_ID TOTAL BATCH PAUSE_MS
import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [storeJs, db, runId, total, batch, pauseMs] = process.argv.slice(2);
const { RunStore } = await import(pathToFileURL(storeJs).href);

function evaluation(index) {
  return {
    index,
    design: [index, index % 7],
    config: { PagePolicy: index % 2 ? 'Closed' : 'Open', RequestBufferSize: index },
    stats: { memoryId: 'child', totalTimeNs: 1000 + index, averagePowerMw: 2000 + index, avgLatencyNs: 10, energyPj: 1e6 + index, bandwidthGBps: 12.8, padding: 'x'.repeat(2000) },
    value: 2000 + index,
    reward: -index,
    best: 2000,
    agentMs: 0.1,
    simulated: true,
  };
}

const pause = new Int32Array(new SharedArrayBuffer(4));
const store = RunStore.open(db);
const id = Number(runId);
let next = store.evaluationCount(id);
while (next < Number(total)) {
  const n = Math.min(Number(batch), Number(total) - next);
  store.appendEvaluations(id, Array.from({ length: n }, (_, k) => evaluation(next + k)));
  next += n;
  // A checkpoint whenever a multiple of 10 evaluations is passed, as a search checkpoints every k.
  if (Math.floor(next / 10) > Math.floor((next - n) / 10)) store.saveCheckpoint(id, next, JSON.stringify({ next }));
  writeSync(1, `${next}\n`);
  if (Number(pauseMs) > 0) Atomics.wait(pause, 0, 0, Number(pauseMs));
}
store.close();
