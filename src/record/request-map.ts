// From the recorded upstream request to a cassette's `request` and `upstreamRequest`.
//
// `request.body` must be an OpenAI chat request that the provider's own translation
// (`buildRequest`) turns back into the recorded body: for OpenAI-compatible providers the body
// itself, for the others the dialect's inverse (inverse.ts), checked by running the translation
// with the route options the recorded path implies. Exact: `bodyMatch: exact`; the recorded body
// a subset of the translation's (an Azure body without `model`): `bodyMatch: subset`; anything
// else: the request stays native (`request.native`), with a note saying why.
//
// `upstreamRequest` holds the facts: method, path, the query without credentials, the names of
// the headers sent (those a conforming gateway sends too, so a replay through any gateway can
// hold to them), the body (redacted). Where streamproof's harness routes would send another path
// or query (a real Vertex project, an Azure api-version), a note says so.
import type { ProviderDescriptor, ProviderRoute } from '../providers/types.ts';
import { isJsonObject, parseJson } from '../base/json.ts';
import { inverseFor, type Json } from './inverse.ts';
import { isSecretQueryParam } from './redact.ts';

export interface RecordedRequest {
  method: string;
  /** The path as sent, relative to the provider base URL, without the query. */
  path: string;
  query: [string, string][];
  /** Lower-case names, in the order sent. */
  headers: [string, string][];
  body: Buffer;
}

export interface RequestFacts {
  request: { body?: Json; native?: unknown };
  upstreamRequest: {
    method: string;
    path: string;
    query: Record<string, string>;
    headers: { present: string[]; absent: string[]; equals: Record<string, string> };
    body?: unknown;
    bodyMatch: 'exact' | 'subset';
  };
  /** The model the gateway would resolve (the decoder's context). */
  model: string;
  streaming: boolean;
  includeUsage: boolean;
  notes: string[];
}

/** Header names worth requiring when no translation can say which ones a gateway sends. */
const SIGNIFICANT_HEADERS = new Set([
  'authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'anthropic-version',
  'anthropic-beta',
  'helicone-auth',
  'content-type',
  'x-amz-date',
  'x-amz-content-sha256',
  'x-amz-security-token',
]);

/** Non-secret headers whose value a cassette may pin (only when the harness route sends the same). */
const PINNED_HEADERS = ['anthropic-version'];

const VERIFY_KEY = 'streamproof-verify-key';

/**
 * The cassette's request facts. `body` is the recorded request body, redacted (undefined when it
 * is not JSON); `streamingResponse` says whether the response was a stream, for requests that
 * cannot be read.
 */
export async function requestFacts(
  provider: ProviderDescriptor,
  recorded: RecordedRequest,
  body: unknown,
  streamingResponse: boolean,
): Promise<RequestFacts> {
  const notes: string[] = [];
  const query = new Map(recorded.query);
  const keptQuery: Record<string, string> = {};
  for (const [name, value] of recorded.query) {
    if (isSecretQueryParam(name)) notes.push(`query parameter ${name} (a credential) is not kept`);
    else keptQuery[name] = value;
  }
  const upstreamRequest: RequestFacts['upstreamRequest'] = {
    method: recorded.method,
    path: recorded.path,
    query: keptQuery,
    headers: { present: [], absent: [], equals: {} },
    ...(body !== undefined ? { body } : {}),
    bodyMatch: 'exact',
  };
  const sent = new Map(recorded.headers);

  const inverse = isJsonObject(body) ? inverseFor(provider.name, provider.supportsPassthrough) : null;
  let mapped: { request: Json; options: Record<string, string> } | null = null;
  if (!isJsonObject(body)) notes.push('the request body is not a JSON object, so it is kept as it is');
  else if (!inverse) notes.push(`streamproof cannot read a ${provider.displayName} request as an OpenAI chat request`);
  else {
    try {
      mapped = inverse({ path: recorded.path, query, body });
    } catch (err) {
      notes.push(`the request cannot be written as an OpenAI chat request: ${(err as Error).message}`);
    }
  }

  let verdict: 'exact' | 'subset' | null = null;
  if (mapped && isJsonObject(body)) {
    const check = await translationMatches(provider, mapped, recorded, body);
    verdict = check.verdict;
    if (!verdict) notes.push(`the OpenAI chat request streamproof derived does not translate back to the recorded body (${check.why})`);
  }

  const model = mapped && typeof mapped.request['model'] === 'string' ? mapped.request['model'] : modelOf(body, recorded.path);
  if (mapped && verdict) {
    upstreamRequest.bodyMatch = verdict;
    const harness = await harnessRequest(provider, mapped.request);
    if (harness) {
      upstreamRequest.headers.present = recorded.headers
        .map(([n]) => n)
        .filter((n, i, all) => harness.headers.has(n) && all.indexOf(n) === i);
      for (const name of PINNED_HEADERS) {
        const value = sent.get(name);
        if (value !== undefined && value === harness.headers.get(name)) upstreamRequest.headers.equals[name] = value;
      }
      if (harness.path !== recorded.path)
        notes.push(`streamproof's harness route sends path ${harness.path}: edit upstreamRequest.path before \`streamproof run\``);
      for (const [name, value] of Object.entries(keptQuery)) {
        if (harness.query[name] !== value)
          notes.push(
            `streamproof's harness route sends query ${name}=${harness.query[name] ?? '(nothing)'}: edit upstreamRequest.query before \`streamproof run\``,
          );
      }
      const unsent = [...sent.keys()].filter((n) => SIGNIFICANT_HEADERS.has(n) && !harness.headers.has(n));
      if (unsent.length) notes.push(`sent ${unsent.join(', ')}, which streamproof's harness route does not send (not required here)`);
    }
    const request = mapped.request;
    const streaming = request['stream'] === true;
    const options = request['stream_options'];
    return {
      request: { body: request },
      upstreamRequest,
      model,
      streaming,
      includeUsage: streaming && isJsonObject(options) && options['include_usage'] === true,
      notes,
    };
  }
  upstreamRequest.headers.present = [...new Set(recorded.headers.map(([n]) => n).filter((n) => SIGNIFICANT_HEADERS.has(n)))];
  return {
    request: { native: body ?? recorded.body.toString('utf8') },
    upstreamRequest,
    model,
    streaming: streamingResponse,
    includeUsage: true,
    notes,
  };
}

/** Runs the provider's translation on the derived request with the recorded route options. */
async function translationMatches(
  provider: ProviderDescriptor,
  mapped: { request: Json; options: Record<string, string> },
  recorded: RecordedRequest,
  body: Json,
): Promise<{ verdict: 'exact' | 'subset' | null; why: string }> {
  const route: ProviderRoute = {
    baseUrl: 'http://127.0.0.1',
    apiKey: VERIFY_KEY,
    headers: {},
    options: { ...provider.harnessOptions, ...mapped.options },
  };
  let built: Awaited<ReturnType<ProviderDescriptor['buildRequest']>>;
  try {
    built = await provider.buildRequest(asTheGatewaySendsIt(provider, mapped.request) as never, route);
  } catch (err) {
    return { verdict: null, why: `the translation refuses it: ${(err as Error).message}` };
  }
  if (built.path !== recorded.path) return { verdict: null, why: `it goes to ${built.path}` };
  const query = new Map(recorded.query);
  for (const [name, value] of Object.entries(built.query)) {
    if (query.get(name) !== value) return { verdict: null, why: `it sends query ${name}=${value}` };
  }
  const builtBody = parseJson(built.body);
  const difference = jsonDifference(body, builtBody, false, 'body');
  if (difference === null) return { verdict: 'exact', why: '' };
  // The one addition a gateway may make: the model in the body (Azure bodies may leave it out).
  if (isJsonObject(builtBody) && !('model' in body)) {
    const { model: _model, ...rest } = builtBody;
    if (jsonDifference(body, rest, false, 'body') === null) return { verdict: 'subset', why: '' };
  }
  return { verdict: null, why: difference };
}

/** The request as the gateway translates it: a provider that is not OpenAI-shaped is always asked for a stream. */
function asTheGatewaySendsIt(provider: ProviderDescriptor, request: Json): Json {
  const forwardJson = request['stream'] !== true && provider.supportsPassthrough;
  return forwardJson ? request : { ...request, stream: true };
}

/** What the harness gateway route sends for this request (headers by name, path, query). */
async function harnessRequest(
  provider: ProviderDescriptor,
  request: Json,
): Promise<{ path: string; query: Record<string, string>; headers: Map<string, string> } | null> {
  const route: ProviderRoute = { baseUrl: 'http://127.0.0.1', apiKey: VERIFY_KEY, headers: {}, options: { ...provider.harnessOptions } };
  try {
    const built = await provider.buildRequest(asTheGatewaySendsIt(provider, request) as never, route);
    return { path: built.path, query: built.query, headers: new Map(Object.entries(built.headers).map(([n, v]) => [n.toLowerCase(), v])) };
  } catch {
    return null;
  }
}

/** The first difference between two JSON values (null: none); with `subset`, keys `actual` adds are allowed. */
export function jsonDifference(expected: unknown, actual: unknown, subset: boolean, path: string): string | null {
  if (expected === null || typeof expected !== 'object') {
    return expected === actual ? null : `${path}: ${JSON.stringify(expected)} became ${JSON.stringify(actual)}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length)
      return `${path}: ${JSON.stringify(expected).slice(0, 80)} became ${JSON.stringify(actual).slice(0, 80)}`;
    for (let i = 0; i < expected.length; i++) {
      const d = jsonDifference(expected[i], actual[i], subset, `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (!isJsonObject(actual)) return `${path}: an object became ${JSON.stringify(actual)}`;
  for (const key of Object.keys(expected)) {
    if (!(key in actual)) return `${path}.${key} is missing`;
    const d = jsonDifference((expected as Json)[key], actual[key], subset, `${path}.${key}`);
    if (d) return d;
  }
  if (!subset) for (const key of Object.keys(actual)) if (!(key in (expected as Json))) return `${path}.${key} is added`;
  return null;
}

/** The model a request names: its body's `model`, or the model segment of the path (Gemini, Bedrock, Vertex). */
function modelOf(body: unknown, path: string): string {
  if (isJsonObject(body) && typeof body['model'] === 'string') return body['model'];
  if (isJsonObject(body) && Array.isArray(body['models']) && typeof body['models'][0] === 'string') return body['models'][0];
  const m = /\/models?\/([^/:]+)/.exec(path);
  return m ? decodeURIComponent(m[1]!) : 'unknown';
}
