// JSON-path masks for gateways under test that invent their own ids and timestamps. Masked values
// are replaced with "<masked>" in both the golden and the output before the byte comparison, so
// everything else still has to match exactly. Every mask used is listed in the report.
import { createSseParser } from '../sse/parser.ts';
import { encodeSseEvent } from '../sse/encoder.ts';
import { parseJson } from '../base/json.ts';

type Segment = string | number | '*';

export function parseMask(path: string): Segment[] {
  const segments: Segment[] = [];
  for (const m of path.slice(1).matchAll(/\.([A-Za-z0-9_]+)|\[(\d+|\*)\]/g)) {
    if (m[1] !== undefined) segments.push(m[1]);
    else segments.push(m[2] === '*' ? '*' : Number(m[2]));
  }
  return segments;
}

function maskValue(value: unknown, segments: Segment[]): void {
  if (value === null || typeof value !== 'object' || segments.length === 0) return;
  const [head, ...rest] = segments;
  const container = value as Record<string | number, unknown>;
  const keys = head === '*' ? Object.keys(container) : [head!];
  for (const key of keys) {
    if (!(key in container)) continue;
    if (rest.length === 0) container[key] = '<masked>';
    else maskValue(container[key], rest);
  }
}

/** Re-encodes an SSE body with the masks applied to every JSON data payload. */
export function applyMasks(body: Buffer, masks: readonly string[]): Buffer {
  if (masks.length === 0) return body;
  const parsed = masks.map(parseMask);
  let out = '';
  const parser = createSseParser({
    onEvent(ev) {
      let data = ev.data;
      const value = parseJson(data);
      // Not JSON ([DONE], text): compared as it is.
      if (value !== undefined) {
        for (const segments of parsed) maskValue(value, segments);
        data = JSON.stringify(value);
      }
      out += encodeSseEvent(ev.type === null ? { data } : { event: ev.type, data });
    },
  });
  parser.feed(body);
  parser.end();
  return Buffer.from(out);
}
