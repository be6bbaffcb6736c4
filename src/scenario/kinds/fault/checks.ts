// The checks of a fault case, as pure functions of what the client and the upstream saw.
import { compareWithGolden } from '../../../checks/golden.ts';
import { readOpenAIStream } from '../../../checks/semantic.ts';
import type { CheckResult } from '../../../checks/result.ts';
import type { FaultCase } from './schema.ts';
import type { Exchange } from '../../../client/exchange.ts';
import { isJsonObject, parseJsonObject } from '../../../base/json.ts';
import { bodyOneLine, responseExcerpt } from '../../../checks/response-excerpt.ts';

type Expect = FaultCase['expect'];

export function checkStatus(expect: Expect, client: Exchange): CheckResult {
  if (client.error) return { name: 'status', ok: false, message: `client transport error: ${client.error}` };
  if (client.status === expect.status) return { name: 'status', ok: true };
  return {
    name: 'status',
    ok: false,
    message: `status ${client.status}, expected ${expect.status}: ${bodyOneLine(client)}`,
    detail: `The target answered:\n${responseExcerpt(client)}`,
  };
}

/** The body against the golden: exactly, as a prefix (the client left), or empty. */
export function checkBytes(expect: Expect, body: Buffer, golden: Buffer | null): CheckResult {
  if (expect.bytes === 'none') {
    return body.length === 0
      ? { name: 'golden', ok: true }
      : { name: 'golden', ok: false, message: `expected no body, got ${body.length} bytes` };
  }
  if (!golden) return { name: 'golden', ok: false, message: 'no golden to compare with' };
  if (expect.bytes === 'prefix') {
    return golden.subarray(0, body.length).equals(body)
      ? { name: 'golden', ok: true, message: `${body.length} of ${golden.length} golden bytes before the client left` }
      : compareWithGolden('golden', golden.subarray(0, body.length), body);
  }
  return compareWithGolden('golden', golden, body);
}

export const REFERENCE_HEARTBEAT = ': keep-alive\n\n';
const BOUNDARY = /\r\n\r\n|\n\n|\r\r/g;

/**
 * Removes keep-alive comments that sit between whole events, and counts any found inside an
 * event (a heartbeat written in the middle of an event corrupts it for every client).
 */
export function stripHeartbeats(body: Buffer): { body: Buffer; between: number; inside: number } {
  const text = body.toString('latin1');
  let out = '';
  let between = 0;
  let pos = 0;
  while (pos < text.length) {
    if (text.startsWith(REFERENCE_HEARTBEAT, pos)) {
      between++;
      pos += REFERENCE_HEARTBEAT.length;
      continue;
    }
    BOUNDARY.lastIndex = pos;
    const m = BOUNDARY.exec(text);
    const end = m ? m.index + m[0].length : text.length;
    out += text.slice(pos, end);
    pos = end;
  }
  const inside = out.split(': keep-alive').length - 1;
  return { body: Buffer.from(out, 'latin1'), between, inside };
}

export function checkHeartbeats(found: { between: number; inside: number }): CheckResult {
  if (found.inside > 0) return { name: 'heartbeats', ok: false, message: `${found.inside} heartbeat(s) inside an event` };
  if (found.between === 0) return { name: 'heartbeats', ok: false, message: 'no heartbeat between events' };
  return { name: 'heartbeats', ok: true, message: `${found.between} heartbeat(s), all between whole events` };
}

/**
 * How the response ended: with the expected terminal error (an error body before headers, or a
 * last `{"error": …}` event and no [DONE] after headers), or as a complete stream with [DONE].
 */
export function checkTerminal(expect: Expect, client: Exchange, streaming: boolean): CheckResult | null {
  if (client.aborted && !expect.error) return null; // the client left: there is no end to judge
  const name = 'terminal';
  if (client.status !== 200) {
    if (!expect.error) return client.status === 0 ? null : { name, ok: false, message: `status ${client.status} with no expected error` };
    const parsed = parseJsonObject(client.body);
    if (parsed === undefined)
      return { name, ok: false, message: `error body is not a JSON object: ${client.body.toString('utf8').slice(0, 120)}` };
    const error = parsed['error'];
    if (!isJsonObject(error)) return { name, ok: false, message: 'error body has no "error" object' };
    return matchError(expect.error, { message: error['message'], type: error['type'], code: error['code'] });
  }
  if (!streaming) return null;
  const seen = readOpenAIStream(client.body);
  if (seen.problems.length) return { name, ok: false, message: seen.problems[0]! };
  if (!expect.error) {
    if (seen.error) return { name, ok: false, message: `unexpected error event: ${seen.error.message}` };
    return seen.sawDone ? { name, ok: true } : { name, ok: false, message: 'stream ended without [DONE] and without an error' };
  }
  if (!seen.error)
    return {
      name,
      ok: false,
      message: seen.sawDone ? 'expected an error event, got a normal end with [DONE]' : 'expected an error event, the stream just stopped',
    };
  if (seen.eventsAfterEnd > 0) return { name, ok: false, message: `${seen.eventsAfterEnd} event(s) after the terminal error` };
  const code = lastErrorCode(client.body);
  return matchError(expect.error, { message: seen.error.message, type: seen.error.type, code });
}

function matchError(want: NonNullable<Expect['error']>, got: { message: unknown; type: unknown; code: unknown }): CheckResult {
  const problems: string[] = [];
  if (want.type !== undefined && got.type !== want.type)
    problems.push(`error type ${JSON.stringify(got.type)}, expected ${JSON.stringify(want.type)}`);
  if (want.message !== undefined && got.message !== want.message)
    problems.push(`error message ${JSON.stringify(got.message)}, expected ${JSON.stringify(want.message)}`);
  if (want.code !== undefined && (got.code ?? null) !== want.code)
    problems.push(`error code ${JSON.stringify(got.code)}, expected ${JSON.stringify(want.code)}`);
  return problems.length
    ? { name: 'terminal', ok: false, message: problems[0]!, detail: problems.join('\n') }
    : { name: 'terminal', ok: true };
}

function lastErrorCode(body: Buffer): unknown {
  const text = body.toString('utf8');
  const at = text.lastIndexOf('data: {"error"');
  if (at === -1) return undefined;
  const event = parseJsonObject(text.slice(at + 6).split(/\r?\n/)[0]!);
  const error = event?.['error'];
  return isJsonObject(error) ? error['code'] : undefined;
}

export function checkAttempts(expected: Record<string, number>, actual: Record<string, number>, unexpected: number): CheckResult {
  const problems = Object.entries(expected)
    .filter(([slot, n]) => (actual[slot] ?? 0) !== n)
    .map(([slot, n]) => `${slot}: ${actual[slot] ?? 0} upstream attempt(s), expected ${n}`);
  if (unexpected > 0) problems.push(`${unexpected} upstream request(s) with no plan left (more attempts than planned)`);
  const summary = Object.entries(actual)
    .map(([slot, n]) => `${slot} ${n}`)
    .join(', ');
  return problems.length
    ? { name: 'attempts', ok: false, message: problems[0]!, detail: problems.join('\n') }
    : { name: 'attempts', ok: true, message: summary };
}
