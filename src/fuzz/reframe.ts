// Re-framing an SSE stream without changing its meaning: line endings, the optional space,
// comments and keep-alives between events, a BOM, unknown fields, and JSON data split over
// several `data:` lines. A conforming consumer sees the same events; a gateway must too.
import fc from 'fast-check';
import { createSseParser, type SseEvent } from '../sse/parser.ts';

export interface Framing {
  eol: '\n' | '\r\n' | '\r';
  bom: boolean;
  /** Per event: drop the optional space after `data:`/`event:` colons. */
  noSpace: boolean[];
  /** Per event: a comment line (or keep-alive block) before it. */
  comments: (null | string)[];
  /** Per event: an unknown field line inside it. */
  unknownField: boolean[];
  /** Per event: where to break a JSON payload into data lines (fractions of the candidates). */
  dataSplits: number[][];
}

export const framingArb = (events: number): fc.Arbitrary<Framing> =>
  fc.record({
    eol: fc.constantFrom('\n' as const, '\r\n' as const, '\r' as const),
    bom: fc.boolean(),
    noSpace: fc.array(fc.boolean(), { minLength: events, maxLength: events }),
    comments: fc.array(fc.option(fc.constantFrom('', ' keep-alive', ' OPENROUTER PROCESSING', 'ping'), { nil: null }), {
      minLength: events,
      maxLength: events,
    }),
    unknownField: fc.array(fc.boolean(), { minLength: events, maxLength: events }),
    dataSplits: fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 }), { minLength: events, maxLength: events }),
  });

export function parseEvents(body: Buffer): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = createSseParser({ onEvent: (e) => events.push(e) });
  parser.feed(body);
  parser.end();
  return events;
}

/**
 * Offsets in a JSON text where a line break may go without changing the parsed value: right after
 * a structural character outside strings. (Joining data lines inserts "\n", which is JSON
 * whitespace there.)
 */
export function jsonBreakPoints(json: string): number[] {
  const points: number[] = [];
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === ',' || c === ':' || c === '{' || c === '[') points.push(i + 1);
  }
  return points;
}

export function reframe(events: readonly SseEvent[], f: Framing): Buffer {
  let out = f.bom ? '\uFEFF' : '';
  let lastId: string | null = null;
  events.forEach((ev, i) => {
    // The optional space may only be dropped where the value does not itself start with a space.
    const sepFor = (value: string) => (f.noSpace[i] && !value.startsWith(' ') ? ':' : ': ');
    const comment = f.comments[i];
    if (comment !== null && comment !== undefined) out += `:${comment}${f.eol}${i % 2 === 0 ? f.eol : ''}`;
    if (ev.type !== null) out += `event${sepFor(ev.type)}${ev.type}${f.eol}`;
    if (ev.id !== lastId && ev.id !== null) out += `id${sepFor(ev.id)}${ev.id}${f.eol}`;
    lastId = ev.id;
    if (f.unknownField[i]) out += `x-streamproof${sepFor('')}ignored${f.eol}`;
    // Data that already spans lines keeps its lines; single-line JSON may be broken further.
    let lines = ev.data.split('\n');
    if (lines.length === 1 && isJson(ev.data)) {
      const points = jsonBreakPoints(ev.data);
      const cuts = [
        ...new Set((f.dataSplits[i] ?? []).map((x) => points[Math.floor(x * points.length)]).filter((p): p is number => p !== undefined)),
      ].sort((a, b) => a - b);
      lines = [];
      let prev = 0;
      for (const c of cuts) {
        lines.push(ev.data.slice(prev, c));
        prev = c;
      }
      lines.push(ev.data.slice(prev));
    }
    for (const line of lines) out += `data${sepFor(line)}${line}${f.eol}`;
    out += f.eol;
  });
  return Buffer.from(out, 'utf8');
}

function isJson(s: string): boolean {
  if (!s.startsWith('{') && !s.startsWith('[')) return false;
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}
