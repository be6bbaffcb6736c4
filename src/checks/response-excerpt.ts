// What a gateway engineer needs to see when a status check fails: the status line, the headers
// and the start of the body (as text, or as hex when it is not UTF-8), bounded so a huge or
// binary answer cannot flood a report.
import type { Exchange } from '../client/exchange.ts';

const BODY_BYTES = 2048;
const LINE_CHARS = 200;

/** One line for the console: the start of the body, control characters escaped. */
export function bodyOneLine(exchange: Exchange): string {
  if (exchange.body.length === 0) return '(empty body)';
  const text = asText(exchange.body.subarray(0, LINE_CHARS * 4));
  const shown = text === null ? `${exchange.body.length} bytes, not UTF-8` : JSON.stringify(text.slice(0, LINE_CHARS)).slice(1, -1);
  return exchange.body.length > LINE_CHARS && text !== null ? `${shown}…` : shown;
}

/** The answer as the client saw it: status line, headers, first 2 KB of the body. */
export function responseExcerpt(exchange: Exchange): string {
  if (exchange.status === 0) return `no response${exchange.error ? `: ${exchange.error}` : ''}`;
  const lines = [`HTTP ${exchange.status}`];
  for (const [name, value] of Object.entries(exchange.headers)) {
    for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined) lines.push(`${name}: ${v}`);
  }
  lines.push('');
  const head = exchange.body.subarray(0, BODY_BYTES);
  const text = asText(head);
  lines.push(text ?? hexDump(head));
  if (exchange.body.length > BODY_BYTES) lines.push(`… (${exchange.body.length - BODY_BYTES} more bytes)`);
  return lines.join('\n');
}

/** The bytes as text, or null when they are not UTF-8 (a cut multi-byte character at the end is allowed). */
function asText(bytes: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
  } catch {
    return null;
  }
}

function hexDump(bytes: Buffer): string {
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += 16)
    rows.push(
      `${i.toString(16).padStart(6, '0')}  ${bytes
        .subarray(i, i + 16)
        .toString('hex')
        .replace(/(..)/g, '$1 ')
        .trim()}`,
    );
  return rows.join('\n');
}
