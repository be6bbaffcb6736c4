// `streamproof import raw` and `import chunks`: a response body captured without its request or
// its reads (a `curl -N` dump, with or without `-i`'s head; any raw SSE or event-stream capture;
// or JSON lines of parsed chunk objects), plus the request from a companion file.
//
// The request file is JSON or YAML: either the body that was sent upstream, or
// `{method?, path, query?, headers?, body}` (headers as a map, or a list of names). Without
// --request, `<capture>.request.json` (or .yaml) beside the capture is used. Providers whose
// requests always go to one path (OpenAI, Anthropic, …) need no path; the others must say it.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../base/errors.ts';
import { isJsonObject, parseJson, type JsonObject } from '../base/json.ts';
import { parseYamlText } from '../base/yaml-input.ts';
import type { ProviderDescriptor } from '../providers/types.ts';
import type { RecordedExchange, RecordedRequest } from './cassette.ts';
import { cutPerEvent, encodeChunks, FramingProblem, framingOf, type ChunkLine } from './framing.ts';

/** Captures larger than this are refused: a recording is held in memory. */
export const MAX_CAPTURE_BYTES = 64 * 1024 * 1024;

/** Where a provider's requests go when the request file does not say (none: the path carries the model). */
const DEFAULT_PATHS: Record<string, string> = {
  openai: '/v1/chat/completions',
  xai: '/v1/chat/completions',
  together: '/v1/chat/completions',
  'together-helicone': '/v1/chat/completions',
  backendai: '/v1/chat/completions',
  anthropic: '/v1/messages',
  'openai-responses': '/v1/responses',
  straico: '/v0/chat/completions',
};

const structuredRequest = z
  .object({
    method: z.string().default('POST'),
    path: z.string().startsWith('/', 'path must start with /'),
    query: z.record(z.string(), z.string()).default({}),
    headers: z.union([z.record(z.string(), z.string()), z.array(z.string())]).default({}),
    body: z.record(z.string(), z.unknown()),
  })
  .strict();

export function readFileBounded(file: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new InputError(file, null, `cannot read file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (bytes.length > MAX_CAPTURE_BYTES) throw new InputError(file, null, `larger than ${MAX_CAPTURE_BYTES} bytes`);
  return bytes;
}

/** The request of a capture: --request FILE, else the companion file beside the capture. */
export function readCaptureRequest(
  capture: string,
  provider: ProviderDescriptor,
  requestFile: string | undefined,
  pathFlag: string | undefined,
): RecordedRequest {
  const file = requestFile ?? [`${capture}.request.json`, `${capture}.request.yaml`].find((f) => existsSync(f));
  if (file === undefined)
    throw new InputError(
      capture,
      null,
      `no request for this capture: pass --request FILE (the JSON body sent upstream, or {path, body}) or put it in ${capture}.request.json`,
    );
  const text = readFileBounded(file).toString('utf8');
  const loaded = parseYamlText(file, text, z.unknown());
  const value = loaded.value;
  if (!isJsonObject(value)) throw new InputError(file, 1, 'the request must be an object: the JSON body sent upstream, or {path, body}');
  let method = 'POST';
  let path = pathFlag;
  let query: [string, string][] = [];
  let headers: [string, string][] = [];
  let body: JsonObject = value;
  if ('body' in value && 'path' in value) {
    const r = parseYamlText(file, text, structuredRequest).value;
    method = r.method;
    path ??= r.path;
    query = Object.entries(r.query);
    headers = Array.isArray(r.headers)
      ? r.headers.map((n) => [n.toLowerCase(), ''])
      : Object.entries(r.headers).map(([n, v]) => [n.toLowerCase(), v]);
    body = r.body;
  }
  path ??= DEFAULT_PATHS[provider.name];
  if (path === undefined)
    throw new InputError(file, 1, `a ${provider.displayName} request goes to a path that names the model: give {path, body}, or --path`);
  if (!path.startsWith('/')) throw new InputError(file, 1, `path must start with /, got ${JSON.stringify(path)}`);
  const q = path.indexOf('?');
  if (q >= 0) {
    query = [...query, ...new URLSearchParams(path.slice(q + 1))];
    path = path.slice(0, q);
  }
  return { method, path, query, headers, body: Buffer.from(JSON.stringify(body)) };
}

export interface RawOptions {
  provider: ProviderDescriptor;
  request: RecordedRequest;
  /** When the capture has no HTTP head. */
  status?: number;
  contentType?: string;
}

/** A raw capture: an optional HTTP head (curl -i; `100 Continue` heads skipped; chunked bodies decoded), then the body. */
export function importRaw(file: string, bytes: Buffer, options: RawOptions): RecordedExchange {
  let status = options.status ?? 200;
  let headers: [string, string][] = [];
  let body = bytes;
  let headLines = 0;
  while (body.subarray(0, 5).toString('latin1') === 'HTTP/') {
    const head = parseHead(file, body, headLines);
    status = head.status;
    headers = head.headers;
    headLines += head.lines;
    body = body.subarray(head.length);
    if (status >= 200) break;
  }
  if (
    headers.some(([n, v]) => n === 'transfer-encoding' && /chunked/i.test(v)) &&
    /^[0-9a-fA-F]+(;[^\r\n]*)?\r?\n/.test(body.subarray(0, 32).toString('latin1'))
  )
    body = dechunk(file, body, headLines);
  headers = headers.filter(([n]) => n !== 'transfer-encoding' && n !== 'content-length');
  const contentType =
    options.contentType ?? headers.find(([n]) => n === 'content-type')?.[1] ?? defaultContentType(options.provider, status);
  if (!headers.some(([n]) => n === 'content-type')) headers.push(['content-type', contentType]);
  let pieces: Buffer[];
  try {
    pieces = cutPerEvent(body, framingOf(options.provider, contentType, status));
  } catch (err) {
    if (!(err instanceof FramingProblem)) throw err;
    throw new InputError(
      file,
      err.line !== null ? err.line + headLines : null,
      err.line !== null ? err.message : `at byte ${err.byte + (bytes.length - body.length)}: ${err.message}`,
    );
  }
  return {
    request: options.request,
    response: { status, headers, reads: pieces.map((b) => ({ bytes: b, at: 0 })), end: 'end' },
    origin: `streamproof import raw, ${file}`,
    boundaries: 'inferred',
  };
}

/** JSON lines of chunk objects (or the string "[DONE]"), encoded in the provider's framing. */
export function importChunks(file: string, text: string, options: RawOptions & { terminate: boolean }): RecordedExchange {
  const lines: ChunkLine[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    const value = parseJson(raw);
    if (value === undefined) throw new InputError(file, i + 1, `not JSON: ${raw.slice(0, 60)}`);
    if (value === '[DONE]') lines.push({ line: i + 1, value });
    else if (isJsonObject(value)) lines.push({ line: i + 1, value });
    else throw new InputError(file, i + 1, `a chunk must be a JSON object (or "[DONE]"), got ${JSON.stringify(value).slice(0, 60)}`);
  });
  if (lines.length === 0) throw new InputError(file, 1, 'no chunks: the file has no JSON lines');
  let pieces: Buffer[];
  try {
    pieces = encodeChunks(options.provider, lines, options.terminate);
  } catch (err) {
    if (!(err instanceof FramingProblem)) throw err;
    throw new InputError(file, err.line, err.message);
  }
  const status = options.status ?? 200;
  return {
    request: options.request,
    response: {
      status,
      headers: [['content-type', options.contentType ?? defaultContentType(options.provider, status)]],
      reads: pieces.map((b) => ({ bytes: b, at: 0 })),
      end: 'end',
    },
    origin: `streamproof import chunks, ${file}`,
    boundaries: 'inferred',
  };
}

function defaultContentType(provider: ProviderDescriptor, status: number): string {
  if (status < 200 || status >= 300) return 'application/json';
  switch (provider.fuzz.framing) {
    case 'eventstream':
      return 'application/vnd.amazon.eventstream';
    case 'json':
      return 'application/json';
    case 'sse':
      return 'text/event-stream';
  }
}

/** One HTTP response head: status line, headers, blank line. */
function parseHead(
  file: string,
  bytes: Buffer,
  lineBase: number,
): { status: number; headers: [string, string][]; length: number; lines: number } {
  const crlf = bytes.indexOf('\r\n\r\n');
  const lf = bytes.indexOf('\n\n');
  const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : -1;
  if (end < 0) throw new InputError(file, lineBase + 1, 'the HTTP head (curl -i) has no blank line after it');
  const lines = bytes.subarray(0, end).toString('latin1').split(/\r?\n/);
  const statusLine = /^HTTP\/[\d.]+ (\d{3})\b/.exec(lines[0]!);
  if (!statusLine) throw new InputError(file, lineBase + 1, `not an HTTP status line: ${lines[0]!.slice(0, 60)}`);
  const headers: [string, string][] = [];
  lines.slice(1).forEach((line, i) => {
    if (line === '') return;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new InputError(file, lineBase + i + 2, `not a header line: ${line.slice(0, 60)}`);
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  });
  return { status: Number(statusLine[1]), headers, length: end, lines: lines.length - 1 };
}

/** A chunked body as `curl --raw` keeps it. */
function dechunk(file: string, body: Buffer, lineBase: number): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  for (let n = 0; n < 1_000_000; n++) {
    // A capture cut between chunks (the stream never sent its last, empty chunk) ends here.
    if (pos >= body.length) return Buffer.concat(parts);
    const eol = body.indexOf('\n', pos);
    const sizeLine = body
      .subarray(pos, eol < 0 ? body.length : eol)
      .toString('latin1')
      .replace(/\r$/, '');
    const size = /^[0-9a-fA-F]+/.test(sizeLine) ? Number.parseInt(sizeLine, 16) : Number.NaN;
    if (eol < 0 || !Number.isFinite(size)) {
      const line = lineBase + body.subarray(0, pos).toString('latin1').split('\n').length;
      throw new InputError(file, line, `chunked body: expected a chunk size line, got ${JSON.stringify(sizeLine.slice(0, 20))}`);
    }
    if (size === 0) return Buffer.concat(parts);
    const start = eol + 1;
    if (start + size > body.length)
      throw new InputError(file, null, `chunked body: a chunk of ${size} bytes runs past the end of the file`);
    parts.push(body.subarray(start, start + size));
    pos = start + size;
    if (body[pos] === 0x0d) pos++;
    if (body[pos] === 0x0a) pos++;
  }
  throw new InputError(file, null, 'chunked body: more than a million chunks');
}
