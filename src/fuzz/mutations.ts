// Ways a real upstream body goes wrong, as gateways have met them: cut short, bad JSON,
// bad UTF-8, a line past the limit, a repeated terminator, an error after partial output, a
// flipped bit. Each says whether a correct gateway must end the stream with an error.
import fc from 'fast-check';
import { createSseParser } from '../sse/parser.ts';
import type { StreamGenerator } from '../providers/stream-model.ts';

export type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'invalid-json'; event: number }
  | { kind: 'invalid-utf8'; at: number }
  | { kind: 'oversized-line'; event: number }
  | { kind: 'duplicate-terminator' }
  | { kind: 'error-after-partial'; event: number }
  | { kind: 'flip-bit'; at: number; bit: number };

export interface Mutated {
  body: Buffer;
  /** A correct gateway must end this stream with an error. */
  mustFail: boolean;
  /** The meaning is intact up to where it stops: a success must carry all of it, an error a prefix. */
  meaningKept: boolean;
}

const fraction = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

export function mutationArb(g: StreamGenerator): fc.Arbitrary<Mutation> {
  const all: fc.Arbitrary<Mutation>[] = [
    fraction.map((at) => ({ kind: 'truncate' as const, at })),
    fraction.map((at) => ({ kind: 'invalid-utf8' as const, at })),
    fc.record({ at: fraction, bit: fc.integer({ min: 0, max: 7 }) }).map(({ at, bit }) => ({ kind: 'flip-bit' as const, at, bit })),
  ];
  if (g.framing === 'sse') {
    all.push(fraction.map((event) => ({ kind: 'invalid-json' as const, event })));
    all.push(fraction.map((event) => ({ kind: 'oversized-line' as const, event })));
  }
  if (g.terminator !== undefined) all.push(fc.constant({ kind: 'duplicate-terminator' as const }));
  if (g.errorEvent !== undefined && g.framing === 'sse')
    all.push(fraction.map((event) => ({ kind: 'error-after-partial' as const, event })));
  return fc.oneof(...all);
}

/** Byte offsets just past each event's blank line. */
function eventEnds(body: Buffer): number[] {
  const ends: number[] = [];
  const parser = createSseParser({ onEvent: () => undefined, onBoundary: (o) => ends.push(o) }, { maxLineBytes: Number.MAX_SAFE_INTEGER });
  parser.feed(body);
  return ends;
}

export function applyMutation(body: Buffer, m: Mutation, g: StreamGenerator, maxLineBytes: number): Mutated {
  const pick = (f: number, n: number) => Math.min(n - 1, Math.floor(f * n));
  switch (m.kind) {
    case 'truncate': {
      const at = pick(m.at, body.length);
      const complete = g.completeLength?.(body) ?? body.length;
      return { body: body.subarray(0, at), mustFail: at < complete, meaningKept: true };
    }
    case 'invalid-utf8': {
      const at = pick(m.at, body.length + 1);
      return {
        body: Buffer.concat([body.subarray(0, at), Buffer.from([0xff, 0xc3]), body.subarray(at)]),
        mustFail: false,
        meaningKept: false,
      };
    }
    case 'flip-bit': {
      const copy = Buffer.from(body);
      const at = pick(m.at, copy.length);
      copy[at] = copy[at]! ^ (1 << m.bit);
      return { body: copy, mustFail: false, meaningKept: false };
    }
    case 'invalid-json': {
      const ends = eventEnds(body);
      const ranges = ends.map((end, i) => ({ start: i === 0 ? 0 : ends[i - 1]!, end }));
      const data = ranges.filter((r) => !body.subarray(r.start, r.end).includes('[DONE]'));
      if (data.length === 0) return { body, mustFail: false, meaningKept: true };
      const r = data[pick(m.event, data.length)]!;
      return {
        body: Buffer.concat([body.subarray(0, r.start), Buffer.from('data: {"broken":\n\n'), body.subarray(r.end)]),
        mustFail: true,
        meaningKept: false,
      };
    }
    case 'oversized-line': {
      const ends = [0, ...eventEnds(body)];
      const at = ends[pick(m.event, ends.length)]!;
      const line = Buffer.from(`: ${'x'.repeat(maxLineBytes + 16)}\n`);
      return { body: Buffer.concat([body.subarray(0, at), line, body.subarray(at)]), mustFail: true, meaningKept: true };
    }
    case 'duplicate-terminator':
      return { body: Buffer.concat([body, Buffer.from(g.terminator ?? '')]), mustFail: false, meaningKept: true };
    case 'error-after-partial': {
      const ends = [0, ...eventEnds(body)];
      // Never after the terminator itself: then the stream had already ended cleanly.
      const at = ends[pick(m.event, Math.max(1, ends.length - 1))]!;
      const error = g.errorEvent!('fuzz: upstream failed mid-stream');
      return { body: Buffer.concat([body.subarray(0, at), Buffer.from(error)]), mustFail: true, meaningKept: true };
    }
  }
}
