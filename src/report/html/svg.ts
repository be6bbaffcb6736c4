// Hand-written SVG charts, rendered to strings at report time: line charts (CDF, time series,
// percentile curves) and overlaid histograms, on linear or log axes. No charting library: the
// report must load nothing, and these few chart shapes take less code than a bundled library.
import { esc } from './escape.ts';

export interface Axis {
  label: string;
  log?: boolean;
  /** Fixed ends (default: from the data). */
  min?: number;
  max?: number;
  format?: (v: number) => string;
}

export interface LineSeries {
  label: string;
  color: string;
  /** [x, y]; a NaN y breaks the line (a gap between rounds). */
  points: ReadonlyArray<readonly [number, number]>;
  dashed?: boolean;
}

export interface HistogramSeries {
  label: string;
  color: string;
  /** [lower edge, upper edge, height]. */
  bins: ReadonlyArray<readonly [number, number, number]>;
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const FRAME: Frame = { width: 640, height: 300, left: 64, right: 16, top: 28, bottom: 44 };

/** 1, 2, 5 × 10^k steps, about `count` of them, from min up to the first at or above max. */
export function linearTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; out.length < 100; v += step) {
    out.push(Number(v.toPrecision(12)));
    if (v >= max - step * 1e-9) break;
  }
  return out;
}

/** Powers of ten inside [min, max]; with 2 and 5 between them when the range spans under three decades. */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const mults = hi - lo <= 2 ? [1, 2, 5] : [1];
  const out: number[] = [];
  for (let e = lo; e <= hi; e++) {
    for (const m of mults) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.push(v);
    }
  }
  return out;
}

/** A latency for an axis or a label: µs below 1 ms, s from 1000 ms. */
export function formatMs(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a < 1) return `${trim(v * 1000)} µs`;
  if (a >= 1000) return `${trim(v / 1000)} s`;
  return `${trim(v)} ms`;
}

export function trim(v: number): string {
  return String(Number(v.toPrecision(3)));
}

interface Scale {
  (v: number): number;
  ticks: number[];
}

function scale(axis: Axis, values: readonly number[], from: number, to: number): Scale {
  const finite = values.filter((v) => Number.isFinite(v) && (!axis.log || v > 0));
  let min = axis.min ?? (finite.length ? Math.min(...finite) : 0);
  let max = axis.max ?? (finite.length ? Math.max(...finite) : 1);
  if (axis.log) {
    min = Math.max(min, 1e-6);
    if (!(max > min)) max = min * 10;
    // Whole decades at both ends, so the grid reads at a glance.
    if (axis.min === undefined) min = 10 ** Math.floor(Math.log10(min));
    if (axis.max === undefined) max = 10 ** Math.ceil(Math.log10(max));
    const a = Math.log10(min);
    const b = Math.log10(max);
    const f = ((v: number) => from + ((Math.log10(Math.max(v, min)) - a) / (b - a)) * (to - from)) as Scale;
    f.ticks = logTicks(min, max);
    return f;
  }
  if (!(max > min)) max = min + 1;
  let ticks = linearTicks(min, max);
  if (axis.max === undefined) max = Math.max(max, ticks[ticks.length - 1]!);
  else ticks = ticks.filter((t) => t <= max + 1e-9);
  const f = ((v: number) => from + ((v - min) / (max - min)) * (to - from)) as Scale;
  f.ticks = ticks;
  return f;
}

const px = (v: number) => v.toFixed(1);

function axes(frame: Frame, x: Scale, y: Scale, xAxis: Axis, yAxis: Axis): string {
  const fx = xAxis.format ?? trim;
  const fy = yAxis.format ?? trim;
  const { left, top, width, height, right, bottom } = frame;
  const x1 = width - right;
  const y1 = height - bottom;
  const parts: string[] = [];
  for (const t of x.ticks) {
    const X = px(x(t));
    parts.push(`<line class="grid" x1="${X}" y1="${top}" x2="${X}" y2="${y1}"/>`);
    parts.push(`<text class="tick" x="${X}" y="${y1 + 16}" text-anchor="middle">${esc(fx(t))}</text>`);
  }
  for (const t of y.ticks) {
    const Y = px(y(t));
    parts.push(`<line class="grid" x1="${left}" y1="${Y}" x2="${x1}" y2="${Y}"/>`);
    parts.push(`<text class="tick" x="${left - 6}" y="${Y}" dy="0.32em" text-anchor="end">${esc(fy(t))}</text>`);
  }
  parts.push(`<rect class="frame" x="${left}" y="${top}" width="${x1 - left}" height="${y1 - top}"/>`);
  parts.push(`<text class="axis-label" x="${(left + x1) / 2}" y="${height - 8}" text-anchor="middle">${esc(xAxis.label)}</text>`);
  parts.push(
    `<text class="axis-label" transform="translate(14 ${(top + y1) / 2}) rotate(-90)" text-anchor="middle">${esc(yAxis.label)}</text>`,
  );
  return parts.join('');
}

function legend(frame: Frame, items: ReadonlyArray<{ label: string; color: string; dashed?: boolean }>): string {
  let x = frame.left;
  const y = 14;
  return items
    .map((it) => {
      const mark = `<line x1="${x}" y1="${y}" x2="${x + 18}" y2="${y}" stroke="${it.color}" stroke-width="3"${it.dashed ? ' stroke-dasharray="5 3"' : ''}/>`;
      const text = `<text class="legend" x="${x + 22}" y="${y}" dy="0.32em">${esc(it.label)}</text>`;
      x += 34 + it.label.length * 7;
      return mark + text;
    })
    .join('');
}

function svg(kind: string, title: string, body: string, frame: Frame = FRAME): string {
  return (
    `<svg class="chart" data-chart="${esc(kind)}" role="img" viewBox="0 0 ${frame.width} ${frame.height}" ` +
    `width="${frame.width}" height="${frame.height}" xmlns="http://www.w3.org/2000/svg"><title>${esc(title)}</title>${body}</svg>`
  );
}

/** Lines on shared axes: CDFs, percentile curves, time series. */
export function lineChart(o: { kind: string; title: string; x: Axis; y: Axis; series: readonly LineSeries[]; frame?: Frame }): string {
  const frame = o.frame ?? FRAME;
  const all = o.series.flatMap((s) => s.points);
  const x = scale(
    o.x,
    all.map((p) => p[0]),
    frame.left,
    frame.width - frame.right,
  );
  const y = scale(
    o.y,
    all.map((p) => p[1]),
    frame.height - frame.bottom,
    frame.top,
  );
  const paths = o.series.map((s) => {
    let d = '';
    let pen = false;
    for (const [vx, vy] of s.points) {
      if (!Number.isFinite(vy) || !Number.isFinite(vx) || (o.x.log && vx <= 0)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${px(x(vx))},${px(y(vy))}`;
      pen = true;
    }
    return `<path class="series" d="${d || 'M0,0'}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}><title>${esc(s.label)}</title></path>`;
  });
  return svg(o.kind, o.title, axes(frame, x, y, o.x, o.y) + paths.join('') + legend(frame, o.series));
}

/** Overlaid histograms, each an outlined translucent step area (bins on a shared grid). */
export function histogramChart(o: { kind: string; title: string; x: Axis; y: Axis; series: readonly HistogramSeries[] }): string {
  const frame = FRAME;
  const edges = o.series.flatMap((s) => s.bins.flatMap((b) => [b[0], b[1]]));
  const x = scale(o.x, edges, frame.left, frame.width - frame.right);
  const y = scale(
    { ...o.y, min: 0 },
    o.series.flatMap((s) => s.bins.map((b) => b[2])),
    frame.height - frame.bottom,
    frame.top,
  );
  const base = px(y(0));
  const paths = o.series.map((s) => {
    let d = '';
    let lastHi: number | null = null;
    for (const [lo, hi, h] of s.bins) {
      if (lastHi === null || Math.abs(lo - lastHi) > lastHi * 1e-6)
        d += `${lastHi === null ? '' : `L${px(x(lastHi))},${base}`}M${px(x(lo))},${base}`;
      d += `L${px(x(lo))},${px(y(h))}L${px(x(hi))},${px(y(h))}`;
      lastHi = hi;
    }
    if (lastHi !== null) d += `L${px(x(lastHi))},${base}`;
    return `<path class="series" d="${d || 'M0,0'}" fill="${s.color}" fill-opacity="0.18" stroke="${s.color}" stroke-width="1.5"><title>${esc(s.label)}</title></path>`;
  });
  return svg(o.kind, o.title, axes(frame, x, y, o.x, o.y) + paths.join('') + legend(frame, o.series));
}

/** Horizontal bars, one per row (added-latency percentiles): negative values extend left of zero. */
export function barChart(o: {
  kind: string;
  title: string;
  x: Axis;
  rows: ReadonlyArray<{ label: string; value: number; color: string }>;
}): string {
  const rowH = 22;
  const frame: Frame = { width: 640, height: 40 + rowH * o.rows.length + 36, left: 120, right: 60, top: 16, bottom: 40 };
  const values = o.rows.map((r) => r.value);
  const x = scale(
    { ...o.x, min: Math.min(0, ...values), max: Math.max(0, ...values) * 1.1 || 1 },
    values,
    frame.left,
    frame.width - frame.right,
  );
  const fx = o.x.format ?? trim;
  const parts: string[] = [];
  const y1 = frame.height - frame.bottom;
  for (const t of x.ticks) {
    const X = px(x(t));
    parts.push(`<line class="grid" x1="${X}" y1="${frame.top}" x2="${X}" y2="${y1}"/>`);
    parts.push(`<text class="tick" x="${X}" y="${y1 + 16}" text-anchor="middle">${esc(fx(t))}</text>`);
  }
  o.rows.forEach((r, i) => {
    const top = frame.top + 8 + i * rowH;
    const a = x(Math.min(0, r.value));
    const b = x(Math.max(0, r.value));
    parts.push(`<text class="tick" x="${frame.left - 6}" y="${top + 8}" dy="0.32em" text-anchor="end">${esc(r.label)}</text>`);
    parts.push(
      `<path class="bar" d="M${px(a)},${top}H${px(Math.max(b, a + 1))}V${top + 16}H${px(a)}Z" fill="${r.color}"><title>${esc(`${r.label}: ${fx(r.value)}`)}</title></path>`,
    );
    parts.push(`<text class="tick" x="${px(Math.max(b, a + 1) + 4)}" y="${top + 8}" dy="0.32em">${esc(fx(r.value))}</text>`);
  });
  const zero = px(x(0));
  parts.push(`<line class="zero" x1="${zero}" y1="${frame.top}" x2="${zero}" y2="${y1}"/>`);
  parts.push(
    `<text class="axis-label" x="${(frame.left + frame.width - frame.right) / 2}" y="${frame.height - 8}" text-anchor="middle">${esc(o.x.label)}</text>`,
  );
  return svg(o.kind, o.title, parts.join(''), frame);
}
