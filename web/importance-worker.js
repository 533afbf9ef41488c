// Parameter importance off the page's thread: the page posts the designs and metrics of the runs it
// shows, this worker grows the forests (importance.js) and posts the shares back, so the charts keep
// drawing at full rate meanwhile.
import { permutationImportance } from './importance.js';

/**
 * @typedef {object} ImportanceRequest
 * @property {number} id answered in the reply, so the page can drop stale answers
 * @property {import('./importance.js').ImportanceInput['columns']} columns
 * @property {number[]} levels
 * @property {number} n
 * @property {Array<{ key: string, y: Float64Array }>} metrics
 */

/** @param {MessageEvent<ImportanceRequest>} event */
globalThis.onmessage = (event) => {
  const { id, columns, levels, n, metrics } = event.data;
  const results = metrics.map(({ key, y }) => ({ key, ...permutationImportance({ columns, levels, y, n }) }));
  postMessage({ id, results });
};
