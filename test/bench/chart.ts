/** A line chart of rows copied over time, as a small hand-written SVG (no chart library). */
import type { ProgressPoint } from './results.js';

export interface ChartSeries {
  readonly name: string;
  readonly color: string;
  readonly points: readonly ProgressPoint[];
  readonly dashed?: boolean;
}

const W = 820;
const H = 440;
const M = { left: 70, right: 20, top: 56, bottom: 50 };

export function progressChart(o: { title: string; subtitle?: string; series: readonly ChartSeries[] }): string {
  const all = o.series.flatMap((s) => s.points);
  const xMax = axisMax(Math.max(1, ...all.map((p) => p[0])));
  const yMax = axisMax(Math.max(1, ...all.map((p) => p[1])));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (v: number): number => M.left + (v / xMax) * pw;
  const y = (v: number): number => M.top + ph - (v / yMax) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(o.title)}</text>`);
  if (o.subtitle !== undefined) out.push(`<text x="${W / 2}" y="40" text-anchor="middle" fill="#555">${esc(o.subtitle)}</text>`);
  for (const t of ticks(xMax)) {
    out.push(`<line x1="${f(x(t))}" y1="${M.top}" x2="${f(x(t))}" y2="${M.top + ph}" stroke="#eee"/>`);
    out.push(`<text x="${f(x(t))}" y="${M.top + ph + 18}" text-anchor="middle">${t}</text>`);
  }
  for (const t of ticks(yMax)) {
    out.push(`<line x1="${M.left}" y1="${f(y(t))}" x2="${M.left + pw}" y2="${f(y(t))}" stroke="#eee"/>`);
    out.push(`<text x="${M.left - 8}" y="${f(y(t) + 4)}" text-anchor="end">${rowsLabel(t)}</text>`);
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 12}" text-anchor="middle">seconds since the tool started</text>`);
  out.push(`<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">rows copied</text>`);
  o.series.forEach((s, i) => {
    if (s.points.length > 0) {
      const d = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${f(x(p[0]))},${f(y(p[1]))}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed === true ? ' stroke-dasharray="6 4"' : ''}/>`);
    }
    // Legend bottom right: the curves rise from the bottom left, and stay flat at the top when done.
    const ly = M.top + ph - 12 - (o.series.length - 1 - i) * 18;
    const lx = M.left + pw - 290;
    out.push(`<line x1="${lx}" y1="${ly - 4}" x2="${lx + 24}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dashed === true ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(`<text x="${lx + 30}" y="${ly}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** 1, 2, 5 × 10^n at or above v. */
function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** The smallest multiple of the tick step at or above v. */
function axisMax(v: number): number {
  const step = niceCeil(v / 6);
  return Math.ceil(v / step - 1e-9) * step;
}

function ticks(max: number): number[] {
  const step = niceCeil(max / 6);
  const out: number[] = [];
  for (let t = 0; t <= max + 1e-9; t += step) out.push(Number(t.toPrecision(6)));
  return out;
}

function rowsLabel(n: number): string {
  if (n >= 1e6) return `${Number((n / 1e6).toPrecision(3))}M`;
  if (n >= 1e3) return `${Number((n / 1e3).toPrecision(3))}k`;
  return String(n);
}

const f = (n: number): string => n.toFixed(1);
const esc = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
