// The frame every SVG chart draws in: margins, axes groups, axis labels, a tooltip.
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
  return { svg, plot, xAxis, yAxis, xLabel, yLabel, width, height: innerHeight };
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

/** @param {string} s */
export function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
