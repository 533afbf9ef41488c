// The frame every chart draws in: margins, axes groups, axis labels, a canvas layer under the SVG for
// dense marks, a tooltip.
import d3 from '../d3.js';

/**
 * @typedef {object} Frame
 * @property {d3.Selection<SVGSVGElement, unknown, null, undefined>} svg
 * @property {d3.Selection<SVGGElement, unknown, null, undefined>} plot the inner area, translated by the margins
 * @property {d3.Selection<SVGGElement, unknown, null, undefined>} xAxis
 * @property {d3.Selection<SVGGElement, unknown, null, undefined>} yAxis
 * @property {d3.Selection<SVGTextElement, unknown, null, undefined>} xLabel
 * @property {d3.Selection<SVGTextElement, unknown, null, undefined>} yLabel
 * @property {number} width inner width
 * @property {number} height inner height
 * @property {{ top: number, right: number, bottom: number, left: number }} margin
 */

/**
 * @param {HTMLElement} container
 * @param {{ height: number, margin?: { top: number, right: number, bottom: number, left: number } }} options
 * @returns {Frame}
 */
export function frame(container, { height, margin = { top: 12, right: 16, bottom: 38, left: 64 } }) {
  const outerWidth = Math.max(320, container.clientWidth || 600);
  const svg = d3.select(container).append('svg').attr('width', outerWidth).attr('height', height).attr('viewBox', `0 0 ${outerWidth} ${height}`);
  const width = outerWidth - margin.left - margin.right;
  const innerHeight = height - margin.top - margin.bottom;
  const plot = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
  const xAxis = plot.append('g').attr('class', 'axis x').attr('transform', `translate(0,${innerHeight})`);
  const yAxis = plot.append('g').attr('class', 'axis y');
  const xLabel = plot.append('text').attr('class', 'axis-label').attr('x', width).attr('y', innerHeight + 32).attr('text-anchor', 'end');
  const yLabel = plot.append('text').attr('class', 'axis-label').attr('transform', 'rotate(-90)').attr('x', 0).attr('y', -margin.left + 14).attr('text-anchor', 'end');
  return { svg, plot, xAxis, yAxis, xLabel, yLabel, width, height: innerHeight, margin };
}

/**
 * A canvas under the frame's plot area, for marks too many for SVG (thousands of points or lines):
 * the frame's SVG stays on top for the axes, the few highlighted marks and the pointer.
 * @param {HTMLElement} container the element the frame's SVG was appended to
 * @param {Pick<Frame, 'width' | 'height' | 'margin'>} f
 */
export function canvasLayer(container, f) {
  container.classList.add('layered');
  const canvas = document.createElement('canvas');
  canvas.className = 'marks';
  container.insertBefore(canvas, container.firstChild);
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  let size = { width: 0, height: 0 };
  /** Sizes (and clears) the canvas for a plot area of another size or place. @param {Pick<Frame, 'width' | 'height' | 'margin'>} to */
  function resize(to) {
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(to.width * ratio);
    canvas.height = Math.round(to.height * ratio);
    Object.assign(canvas.style, { left: `${to.margin.left}px`, top: `${to.margin.top}px`, width: `${to.width}px`, height: `${to.height}px` });
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    size = { width: to.width, height: to.height };
  }
  resize(f);
  return { canvas, ctx, clear: () => ctx.clearRect(0, 0, size.width, size.height), resize };
}

/** The page's one tooltip element. */
export function tooltip() {
  let tip = /** @type {HTMLDivElement | null} */ (document.querySelector('#tooltip'));
  if (!tip) {
    tip = document.createElement('div');
    tip.id = 'tooltip';
    document.body.append(tip);
  }
  const el = tip;
  return {
    /** @param {MouseEvent} event @param {string} html */
    show(event, html) {
      el.innerHTML = html;
      el.style.display = 'block';
      el.style.left = `${Math.min(window.innerWidth - el.offsetWidth - 8, event.clientX + 14)}px`;
      el.style.top = `${event.clientY + 14}px`;
    },
    hide() {
      el.style.display = 'none';
    },
  };
}

/** A design's mcconfig as `Key=value` pairs, for a tooltip. @param {Record<string, string | number>} config */
export function configHtml(config) {
  return Object.entries(config)
    .map(([k, v]) => `${escapeHtml(k)}=${escapeHtml(String(v))}`)
    .join(' ');
}

/** @param {string} s */
export function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
