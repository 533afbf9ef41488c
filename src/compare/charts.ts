/**
 * Best-so-far charts as standalone SVG, drawn with d3's scales and path generators on the server
 * (no DOM needed): per agent, the median over seeds with a confidence band, and the true optimum
 * where a ground truth exists.
 */
import { area, line, scaleLinear, schemeTableau10 } from 'd3';

export interface CurveSeries {
  agent: string;
  /** Per evaluation: median and band over seeds. */
  median: number[];
  low: number[];
  high: number[];
}

/** A trace's name as a file name: `builtin:cloud-1` → `cloud-1`. */
export function slug(trace: string): string {
  return trace.replace(/^builtin:/, '').replace(/[^a-zA-Z0-9._-]+/g, '_');
}

/** Text for HTML and SVG, attribute values included. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmtTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${(v / 1e3).toPrecision(3)}k`;
  return v.toPrecision(3);
}

/** Thins a curve to at most ~400 points (the chart is 640 px wide). */
function thin(n: number): number[] {
  const step = Math.max(1, Math.floor(n / 400));
  const idx: number[] = [];
  for (let i = 0; i < n; i += step) idx.push(i);
  if (idx[idx.length - 1] !== n - 1) idx.push(n - 1);
  return idx;
}

export function bestSoFarSvg(title: string, unit: string, series: readonly CurveSeries[], optimum: number | null): string {
  const W = 640, H = 360, m = { top: 34, right: 120, bottom: 44, left: 70 };
  const n = Math.max(...series.map((s) => s.median.length));
  // The first few evaluations are far off; scale to the rest so the race at the end is visible
  // (the early curve is clipped at the top).
  const from = Math.min(n - 1, Math.max(1, Math.ceil(n * 0.03)));
  const values = series.flatMap((s) => [...s.low.slice(from), ...s.high.slice(from), ...s.median.slice(from)]).filter(Number.isFinite);
  if (optimum !== null) values.push(optimum);
  let lo = Math.min(...values), hi = Math.max(...values);
  if (!(hi > lo)) [lo, hi] = [lo * 0.99 - 1e-9, hi * 1.01 + 1e-9];
  const pad = (hi - lo) * 0.04;
  const x = scaleLinear().domain([1, Math.max(2, n)]).range([m.left, W - m.right]);
  const y = scaleLinear().domain([lo - pad, hi + pad]).range([H - m.bottom, m.top]).nice();
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, sans-serif" font-size="11">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${m.left}" y="18" font-size="13" font-weight="600">${esc(title)}</text>`);
  parts.push(`<defs><clipPath id="plot"><rect x="${m.left}" y="${m.top}" width="${W - m.left - m.right}" height="${H - m.top - m.bottom}"/></clipPath></defs>`);
  // Axes, from the scales' ticks.
  for (const t of y.ticks(6)) {
    parts.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${y(t)}" y2="${y(t)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.left - 6}" y="${y(t) + 4}" text-anchor="end">${fmtTick(t)}</text>`);
  }
  for (const t of x.ticks(8)) {
    parts.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${H - m.bottom}" y2="${H - m.bottom + 4}" stroke="#333"/>`);
    parts.push(`<text x="${x(t)}" y="${H - m.bottom + 16}" text-anchor="middle">${Number.isInteger(t) ? t.toLocaleString('en-US') : fmtTick(t)}</text>`);
  }
  parts.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${H - m.bottom}" y2="${H - m.bottom}" stroke="#333"/>`);
  parts.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${H - m.bottom}" stroke="#333"/>`);
  parts.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - 8}" text-anchor="middle">evaluations</text>`);
  parts.push(`<text transform="translate(16 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle">best ${esc(unit)}</text>`);
  if (optimum !== null) {
    parts.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${y(optimum)}" y2="${y(optimum)}" stroke="#111" stroke-dasharray="5 4"/>`);
    parts.push(`<text x="${W - m.right + 4}" y="${y(optimum) + 4}">true optimum</text>`);
  }
  series.forEach((s, k) => {
    const color = schemeTableau10[k % schemeTableau10.length];
    const idx = thin(s.median.length);
    const band = area<number>()
      .x((i) => x(i + 1))
      .y0((i) => y(s.low[i]))
      .y1((i) => y(s.high[i]));
    const mid = line<number>()
      .x((i) => x(i + 1))
      .y((i) => y(s.median[i]));
    parts.push(`<path class="band" clip-path="url(#plot)" d="${band(idx)}" fill="${color}" fill-opacity="0.15" stroke="none"/>`);
    parts.push(`<path class="median" clip-path="url(#plot)" data-agent="${esc(s.agent)}" d="${mid(idx)}" fill="none" stroke="${color}" stroke-width="${s.agent === 'marl' ? 2.5 : 1.5}"/>`);
    parts.push(`<rect x="${W - m.right + 8}" y="${m.top + 16 * k}" width="10" height="10" fill="${color}"/>`);
    parts.push(`<text x="${W - m.right + 22}" y="${m.top + 9 + 16 * k}">${esc(s.agent)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
