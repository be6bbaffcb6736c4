// Checks the request a gateway sent upstream against a cassette's expectation. Every mismatch is
// a line of text for the report; an empty list means the request conforms.
//
// Two tiers: the facts any correct gateway sends (method, path, query, the auth header, the model,
// messages, stream, tools: `upstreamRequest.required`, with defaults below) and the details of how
// the reference gateway words its request (the exact body, headers it must not send). The
// reference gateway is held to both; an external target fails only on the first, and the second
// is reported as notes.
import type { UpstreamRequestExpectation } from '../cassette/schema.ts';
import type { ObservedRequest, ReplayExchange } from '../replay/upstream.ts';
import { isJsonObject, parseJson } from '../base/json.ts';

/** Request-parity problems of one replayed exchange; empty when the gateway's request matched the cassette. */
export function requestProblems(exchange: ReplayExchange): string[] {
  return checkUpstreamRequest(exchange.expected, exchange.request);
}

export function checkUpstreamRequest(expected: UpstreamRequestExpectation, actual: ObservedRequest): string[] {
  return requestFindings(expected, actual).map((f) => f.text);
}

/** A request problem and the fact it is about (`method`, `path`, `query.x`, `header.x`, `body.x`). */
export interface RequestFinding {
  fact: string;
  text: string;
}

/** Headers that carry a credential: sending one is required, its name and value are the provider's. */
export const AUTH_HEADERS = ['authorization', 'api-key', 'x-api-key', 'x-goog-api-key'] as const;
/** Body keys every correct gateway must carry over (those the cassette's body gives). */
export const REQUIRED_BODY_KEYS = ['model', 'messages', 'contents', 'system', 'input', 'stream', 'tools'] as const;

/** The required facts of an expectation: its own `required`, or the defaults. */
export function requiredFacts(expected: UpstreamRequestExpectation): string[] {
  if (expected.required !== undefined) return [...expected.required];
  const facts = ['method', 'path', ...Object.keys(expected.query).map((q) => `query.${q}`)];
  const headers = [...expected.headers.present, ...Object.keys(expected.headers.equals)].map((h) => h.toLowerCase());
  for (const h of headers) if ((AUTH_HEADERS as readonly string[]).includes(h)) facts.push(`header.${h}`);
  if (isJsonObject(expected.body)) for (const k of REQUIRED_BODY_KEYS) if (k in expected.body) facts.push(`body.${k}`);
  return facts;
}

/**
 * The two tiers for an external target: `required` fails the case, `reference` is reported as
 * notes. Required body keys are compared as a subset (a gateway may add fields inside them).
 */
export function tieredRequestProblems(
  expected: UpstreamRequestExpectation,
  actual: ObservedRequest,
): { required: string[]; reference: string[] } {
  const required = new Set(requiredFacts(expected));
  const out = { required: [] as string[], reference: [] as string[] };
  const bodyRequired: string[] = [];
  if (isJsonObject(expected.body)) {
    const body = parseJson(actual.body);
    for (const fact of required) {
      if (!fact.startsWith('body.')) continue;
      const key = fact.slice('body.'.length);
      if (!(key in expected.body)) continue;
      if (!isJsonObject(body)) bodyRequired.push(`${fact}: the body is not a JSON object`);
      else if (!(key in body)) bodyRequired.push(`${fact}: missing`);
      else bodyRequired.push(...jsonMismatches(equivalentForm(expected.body[key]), equivalentForm(body[key]), true, fact));
    }
  }
  const failed = new Set(bodyRequired);
  for (const f of requestFindings(expected, actual)) {
    // Inside a required body key, only what the subset comparison allowed is left: a note.
    if (!required.has(f.fact) || (f.fact.startsWith('body.') && !failed.has(f.text))) out.reference.push(f.text);
    else if (!f.fact.startsWith('body.')) out.required.push(f.text);
  }
  out.required.push(...bodyRequired);
  return out;
}

/**
 * One spelling for request forms a provider documents as equivalent, so the required tier judges
 * meaning: Anthropic's text given as a string or as text-only blocks, Gemini's function schema as
 * `parameters` or `parametersJsonSchema`. The reference tier still sees the bytes as sent.
 */
export function equivalentForm(value: unknown): unknown {
  if (Array.isArray(value)) {
    const textOnly =
      value.length > 0 &&
      value.every((b) => isJsonObject(b) && b.type === 'text' && typeof b.text === 'string' && Object.keys(b).length === 2);
    if (textOnly) return value.map((b) => (b as { text: string }).text).join('');
    return value.map(equivalentForm);
  }
  if (!isJsonObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k === 'parametersJsonSchema' ? 'parameters' : k] = equivalentForm(v);
  return out;
}

export function requestFindings(expected: UpstreamRequestExpectation, actual: ObservedRequest): RequestFinding[] {
  const problems: RequestFinding[] = [];
  const add = (fact: string, text: string) => problems.push({ fact, text });
  if (actual.method !== expected.method) add('method', `method: expected ${expected.method}, got ${actual.method}`);
  if (actual.path !== expected.path) add('path', `path: expected ${expected.path}, got ${actual.path}`);
  for (const [name, value] of Object.entries(expected.query)) {
    const got = actual.query.get(name);
    if (got !== value)
      add(`query.${name}`, `query ${name}: expected ${JSON.stringify(value)}, got ${got === null ? 'nothing' : JSON.stringify(got)}`);
  }
  const h = expected.headers;
  for (const name of h.present) {
    if (actual.headers[name.toLowerCase()] === undefined) add(`header.${name.toLowerCase()}`, `header ${name}: required but missing`);
  }
  for (const name of h.absent) {
    if (actual.headers[name.toLowerCase()] !== undefined) add(`header.${name.toLowerCase()}`, `header ${name}: must not be sent`);
  }
  for (const [name, value] of Object.entries(h.equals)) {
    const got = actual.headers[name.toLowerCase()];
    if (got !== value)
      add(
        `header.${name.toLowerCase()}`,
        `header ${name}: expected ${JSON.stringify(value)}, got ${got === undefined ? 'nothing' : JSON.stringify(got)}`,
      );
  }
  if (expected.body !== undefined) {
    const body = parseJson(actual.body);
    if (body === undefined) {
      add('body', `body: expected JSON, got ${JSON.stringify(actual.body.toString('utf8').slice(0, 200))}`);
      return problems;
    }
    for (const text of jsonMismatches(expected.body, body, expected.bodyMatch === 'subset', 'body')) {
      add(/^body\.([^.[:\s]+)/.exec(text)?.[0] ?? 'body', text);
    }
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
