// Checks the request a gateway sent upstream against a cassette's expectation. Every mismatch is
// a line of text for the report; an empty list means the request conforms.
import type { UpstreamRequestExpectation } from '../cassette/schema.ts';
import type { ObservedRequest, ReplayExchange } from '../replay/upstream.ts';
import { parseJson } from '../base/json.ts';

/** Request-parity problems of one replayed exchange; empty when the gateway's request matched the cassette. */
export function requestProblems(exchange: ReplayExchange): string[] {
  return checkUpstreamRequest(exchange.expected, exchange.request);
}

export function checkUpstreamRequest(expected: UpstreamRequestExpectation, actual: ObservedRequest): string[] {
  const problems: string[] = [];
  if (actual.method !== expected.method) problems.push(`method: expected ${expected.method}, got ${actual.method}`);
  if (actual.path !== expected.path) problems.push(`path: expected ${expected.path}, got ${actual.path}`);
  for (const [name, value] of Object.entries(expected.query)) {
    const got = actual.query.get(name);
    if (got !== value)
      problems.push(`query ${name}: expected ${JSON.stringify(value)}, got ${got === null ? 'nothing' : JSON.stringify(got)}`);
  }
  const h = expected.headers;
  for (const name of h.present) {
    if (actual.headers[name.toLowerCase()] === undefined) problems.push(`header ${name}: required but missing`);
  }
  for (const name of h.absent) {
    if (actual.headers[name.toLowerCase()] !== undefined) problems.push(`header ${name}: must not be sent`);
  }
  for (const [name, value] of Object.entries(h.equals)) {
    const got = actual.headers[name.toLowerCase()];
    if (got !== value)
      problems.push(`header ${name}: expected ${JSON.stringify(value)}, got ${got === undefined ? 'nothing' : JSON.stringify(got)}`);
  }
  if (expected.body !== undefined) {
    const body = parseJson(actual.body);
    if (body === undefined) {
      problems.push(`body: expected JSON, got ${JSON.stringify(actual.body.toString('utf8').slice(0, 200))}`);
      return problems;
    }
    problems.push(...jsonMismatches(expected.body, body, expected.bodyMatch === 'subset', 'body'));
  }
  return problems;
}

/** Differences between two JSON values; with `subset`, keys missing from `expected` are allowed. */
export function jsonMismatches(expected: unknown, actual: unknown, subset: boolean, path: string): string[] {
  if (expected === null || typeof expected !== 'object') {
    // === and not Object.is: JSON has one zero (-0 serializes as 0).
    return expected === actual ? [] : [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${JSON.stringify(actual)}`];
    if (actual.length !== expected.length) return [`${path}: expected ${expected.length} items, got ${actual.length}`];
    return expected.flatMap((e, i) => jsonMismatches(e, actual[i], subset, `${path}[${i}]`));
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
    return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
  const exp = expected as Record<string, unknown>;
  const act = actual as Record<string, unknown>;
  const out: string[] = [];
  for (const key of Object.keys(exp)) {
    if (!(key in act)) out.push(`${path}.${key}: missing`);
    else out.push(...jsonMismatches(exp[key], act[key], subset, `${path}.${key}`));
  }
  if (!subset) for (const key of Object.keys(act)) if (!(key in exp)) out.push(`${path}.${key}: unexpected key`);
  return out;
}
