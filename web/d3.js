// d3 v7, loaded by index.html from the server's copy of the installed package (no CDN): its UMD
// bundle defines the global `d3`; this module hands it to the others with its types.

/** @type {typeof import('d3')} */
const d3 = /** @type {any} */ (globalThis).d3;
if (!d3) throw new Error('d3 did not load (/vendor/d3.min.js)');
export default d3;
