// Sweeps to saturation: a sequence of load steps (rising rate or concurrency), each bounded in
// time, that stops at the first step where a stop condition holds; the knee is the highest step
// before it, the most load the target carried within the conditions. Pure functions: planning the
// steps, parsing the conditions, judging a step and finding the knee.
import { z } from 'zod';
import { findMeasurementDef } from '../checks/measurement-catalog.ts';
import { holds, parseThreshold, type Threshold } from '../checks/thresholds.ts';
import { maxInFlightSchema } from './schema.ts';

export type SweepOver = 'rate' | 'concurrency';

export interface SweepPlan {
  over: SweepOver;
  from: number;
  to: number;
  /** Evenly spaced steps from `from` to `to` (both included) … */
  steps?: number | undefined;
  /** … or each step this many times the last, from `from` up to `to`. */
  factor?: number | undefined;
}

/** The most steps one sweep may plan (each is bounded in time; this bounds the whole sweep). */
export const MAX_SWEEP_STEPS = 50;

/** The load of each step, rising. Concurrency steps are whole numbers (repeats removed). */
export function planSteps(plan: SweepPlan): number[] {
  const { from, to } = plan;
  const out: number[] = [];
  if (plan.factor !== undefined) {
    // A tiny tolerance so 10 × 2 × 2 × 2 reaches a `to` of 80 despite rounding.
    for (let v = from; v <= to * (1 + 1e-9) && out.length < MAX_SWEEP_STEPS; v *= plan.factor) out.push(v);
  } else {
    const n = plan.steps ?? 1;
    for (let i = 0; i < n; i++) out.push(n === 1 ? from : from + ((to - from) * i) / (n - 1));
  }
  const shaped = out.map((v) => (plan.over === 'concurrency' ? Math.round(v) : Number(v.toPrecision(6))));
  return shaped.filter((v, i) => v > 0 && shaped.indexOf(v) === i);
}

/** One stop condition: a measurement of the step, or a count as a percentage of its streams. */
export interface StopCondition extends Threshold {
  /** `"> 1%"`: the measurement divided by the step's streams, in percent. */
  percent: boolean;
}

/** Parses `"> 500"` or `"> 1%"` (percent of the step's streams); a string is an error message. */
export function parseStopCondition(name: string, text: string): StopCondition | string {
  const percent = /%\s*$/.test(text);
  const parsed = parseThreshold(name, percent ? text.replace(/%\s*$/, '') : text);
  if (typeof parsed === 'string') return `stopWhen ${name}: ${JSON.stringify(text)} is not "<op> <number>" or "<op> <number>%"`;
  return { ...parsed, text: percent ? `${parsed.text}%` : parsed.text, percent };
}

/** What a step measured, by measurement name, and how many streams it measured. */
export interface StepFigures {
  value: number;
  streams: number;
  measurements: Readonly<Record<string, number>>;
}

export interface StepVerdict {
  /** Conditions that held (so the step is past saturation), as `name op value (measured x)`. */
  triggered: string[];
  /** A condition named a measurement the step did not report. */
  missing: string[];
}

/** Which stop conditions a step triggered. A measurement the step lacks triggers nothing but is listed. */
export function judgeStep(conditions: readonly StopCondition[], step: StepFigures): StepVerdict {
  const triggered: string[] = [];
  const missing: string[] = [];
  for (const c of conditions) {
    const raw = step.measurements[c.name];
    if (raw === undefined) {
      missing.push(c.name);
      continue;
    }
    const measured = c.percent ? (step.streams > 0 ? (raw / step.streams) * 100 : 0) : raw;
    if (holds(c, measured)) triggered.push(`${c.name} ${c.text} (measured ${round(measured)}${c.percent ? '%' : ''})`);
  }
  return { triggered, missing };
}

export interface SweepOutcome {
  /** The highest step value that triggered no stop condition, or null when the first step did. */
  knee: number | null;
  /** The first step that triggered a condition (null: the sweep reached its last step). */
  saturatedAt: number | null;
}

/**
 * The knee of steps run in order: the last step before the first one that triggered a condition
 * (steps after saturation, if any were run, do not count: recovery past the knee is noise).
 */
export function findKnee(steps: ReadonlyArray<{ value: number; verdict: StepVerdict }>): SweepOutcome {
  let knee: number | null = null;
  for (const s of steps) {
    if (s.verdict.triggered.length > 0) return { knee, saturatedAt: s.value };
    knee = s.value;
  }
  return { knee, saturatedAt: null };
}

const stopWhenSchema = z
  .record(z.string(), z.string())
  .superRefine((record, ctx) => {
    if (Object.keys(record).length === 0)
      ctx.addIssue({ code: 'custom', message: 'stopWhen: name at least one condition, e.g. ttft_p99_ms: "> 500"' });
    for (const [name, text] of Object.entries(record)) {
      const parsed = parseStopCondition(name, text);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', path: [name], message: parsed });
      else if (!findMeasurementDef(name, 'load'))
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `stopWhen: a load step measures no ${JSON.stringify(name)} (see BENCHMARKS.md for the names)`,
        });
    }
  })
  .describe(
    'Measurement name → "<op> <number>" or "<op> <number>%" (of the step\'s streams); the first step where one holds is saturated.',
  );

/** `load: { model: sweep, … }` in a scenario. */
export const sweepModelSchema = z
  .object({
    model: z.literal('sweep'),
    over: z.enum(['rate', 'concurrency']).describe('rate: open-loop arrivals per second; concurrency: closed-loop streams.'),
    from: z.number().positive().max(100_000),
    to: z.number().positive().max(100_000),
    steps: z.number().int().min(1).max(MAX_SWEEP_STEPS).optional().describe('Evenly spaced steps from `from` to `to`, both included.'),
    factor: z.number().gt(1).max(100).optional().describe('Each step this many times the last (instead of steps).'),
    stepSeconds: z.number().positive().max(600).default(10).describe('How long each step runs (its time bound).'),
    arrival: z.enum(['constant', 'poisson']).default('constant').describe('over: rate: how requests arrive within a step.'),
    seed: z.number().int().default(1),
    maxInFlight: maxInFlightSchema.describe('over: rate: arrivals beyond this many open streams are dropped.'),
    stopWhen: stopWhenSchema,
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.to < s.from) ctx.addIssue({ code: 'custom', path: ['to'], message: `sweep: to (${s.to}) is below from (${s.from})` });
    if ((s.steps === undefined) === (s.factor === undefined))
      ctx.addIssue({ code: 'custom', path: ['steps'], message: 'sweep: give exactly one of steps (evenly spaced) or factor (geometric)' });
    if (s.over === 'concurrency' && s.to > 10_000)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'sweep over concurrency: at most 10000 streams' });
  });

export type SweepModel = z.infer<typeof sweepModelSchema>;

export function stopConditions(model: Pick<SweepModel, 'stopWhen'>): StopCondition[] {
  return Object.entries(model.stopWhen).map(([name, text]) => parseStopCondition(name, text) as StopCondition);
}

function round(v: number): number {
  return Number(v.toPrecision(4));
}
