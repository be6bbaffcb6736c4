// Thresholds as scenarios write them — `added_ttft_p99_ms: "< 5"` — parsed, checked, and turned
// into the measured/target ratio the benchmark reports show.
export type Comparator = '<' | '<=' | '>' | '>=' | '==';

/** What a measurement is held to: `op value`, e.g. `<` 5. */
export interface ThresholdTarget {
  op: Comparator;
  value: number;
}

export interface Threshold extends ThresholdTarget {
  name: string;
  /** As written, e.g. "< 5". */
  text: string;
}

const SYNTAX = /^\s*(<=|>=|==|<|>)\s*(-?(?:\d[\d_]*)(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*$/;

/** Parses `"< 5"`, `">= 10_000"`, `"== 0"`; returns an error message for anything else. */
export function parseThreshold(name: string, text: string): Threshold | string {
  const m = SYNTAX.exec(text);
  if (!m) return `threshold ${name}: ${JSON.stringify(text)} is not "<op> <number>" (op: <, <=, >, >=, ==)`;
  return { name, op: m[1] as Comparator, value: Number(m[2]!.replaceAll('_', '')), text: `${m[1]} ${m[2]}` };
}

export function holds(t: ThresholdTarget, measured: number): boolean {
  switch (t.op) {
    case '<':
      return measured < t.value;
    case '<=':
      return measured <= t.value;
    case '>':
      return measured > t.value;
    case '>=':
      return measured >= t.value;
    case '==':
      return measured === t.value;
  }
}

/** measured / target (null when the target is 0: a count that must stay at zero). */
export function targetRatio(t: ThresholdTarget, measured: number): number | null {
  return t.value === 0 ? null : measured / t.value;
}

/**
 * How far past the target a measurement is, as a factor ≥ 1 when it holds: target/measured for
 * upper bounds, measured/target for lower bounds (null for "== 0" style targets).
 */
export function headroom(t: ThresholdTarget, measured: number): number | null {
  if (t.op === '==' || t.value === 0) return null;
  // A measurement at or below zero under a positive upper bound is past it without limit.
  if (t.op === '<' || t.op === '<=') return measured <= 0 ? (t.value > 0 ? Infinity : null) : t.value / measured;
  return measured / t.value;
}
