// One recorded exchange → one cassette, as YAML text: redacted (redact.ts, body-rewrite.ts), the
// request mapped and checked (request-map.ts), the meaning decoded (meaning.ts), every chunk
// exact (text when the read is valid UTF-8 on its own, base64 otherwise), then checked twice
// before anyone may write it: the text must load back through the cassette schema to the same
// bytes, and the final scan (secrets.ts) must find no secret value of the exchange or the
// environment in it.
import { stringify } from 'yaml';
import { TOOL_VERSION } from '../base/version.ts';
import { isJsonObject, parseJson } from '../base/json.ts';
import { parseYamlText } from '../base/yaml-input.ts';
import { cassetteSchema } from '../cassette/schema.ts';
import type { ProviderDescriptor } from '../providers/types.ts';
import { redactReads, type Read } from './body-rewrite.ts';
import { harnessDecoderContext, meaningOf, type ExpectBlock } from './meaning.ts';
import { redactHeaderValue, redactJson, redactText } from './redact.ts';
import { requestFacts, type RecordedRequest } from './request-map.ts';
import {
  collectEnvSecrets,
  collectHeaderSecrets,
  collectJsonSecrets,
  collectQuerySecrets,
  findSecretInCassette,
  SecretSet,
} from './secrets.ts';

export type { Read } from './body-rewrite.ts';
export type { RecordedRequest } from './request-map.ts';

export type BodyEnd = 'end' | 'reset' | 'hang';

/** An exchange as the recorder (or an importer) saw it, secrets and all: it never leaves memory as it is. */
export interface RecordedExchange {
  request: RecordedRequest;
  response: {
    status: number;
    /** Lower-case names, in the order received (repeated names stay repeated). */
    headers: [string, string][];
    reads: Read[];
    end: BodyEnd;
  };
  /** What the cassette's `source.format` says about where it came from. */
  origin: string;
  /** recorded: reads as they arrived; inferred: one body cut at event boundaries. */
  boundaries: 'recorded' | 'inferred';
}

export interface BuildOptions {
  provider: ProviderDescriptor;
  /** The user's `--redact` patterns. */
  redact: readonly RegExp[];
  /** Variables whose names say KEY/TOKEN/SECRET/PASSWORD are secrets to scan for. */
  env: NodeJS.ProcessEnv;
  description?: string;
}

export type BuiltCassette =
  | {
      ok: true;
      /** The YAML to write. */
      text: string;
      /** What the exchange exercises (the default file name): text, tool-calls, error-429, … */
      exercises: string;
      notes: string[];
      expect: ExpectBlock;
      /** Every secret value of the exchange and environment (to mask log lines with). */
      secrets: SecretSet;
    }
  | { ok: false; problem: string; secrets: SecretSet };

/** Response headers never kept: hop-by-hop and transport framing, and the date. */
const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  'date',
]);

export async function buildCassette(exchange: RecordedExchange, options: BuildOptions): Promise<BuiltCassette> {
  const { provider, redact } = options;
  const { request, response } = exchange;
  const secrets = new SecretSet();
  collectHeaderSecrets(secrets, request.headers, 'request');
  collectHeaderSecrets(secrets, response.headers, 'response');
  collectQuerySecrets(secrets, request.query);
  collectEnvSecrets(secrets, options.env);

  const rawBody = request.body.length > 0 ? parseJson(request.body) : undefined;
  if (rawBody !== undefined) collectJsonSecrets(secrets, rawBody, 'request body');
  const body =
    rawBody !== undefined
      ? redactJson(rawBody, redact)
      : request.body.length > 0
        ? redactText(request.body.toString('utf8'), redact)
        : undefined;

  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) {
    if (DROPPED_RESPONSE_HEADERS.has(name)) continue;
    const redacted = redactHeaderValue(name, value, redact);
    headers[name] = headers[name] === undefined ? redacted : `${headers[name]}, ${redacted}`;
  }
  const contentType = headers['content-type'] ?? '';
  const eventStream = /application\/vnd\.amazon\.eventstream/i.test(contentType);
  const { reads } = redactReads(response.reads, eventStream, redact);

  const streamingResponse = /text\/event-stream|eventstream/i.test(contentType);
  const facts = await requestFacts(provider, request, body, streamingResponse);
  const context = harnessDecoderContext(provider.name, facts.request.body ?? (isJsonObject(body) ? body : {}), facts.model);
  const meaning = meaningOf({
    provider,
    status: response.status,
    contentType,
    reads: reads.map((r) => r.bytes),
    end: response.end,
    streaming: facts.streaming,
    includeUsage: facts.includeUsage,
    context,
  });
  const notes = [...facts.notes, ...meaning.notes].map((n) => secrets.mask(n));
  if (reads.length === 0) notes.push('the response had no body: the cassette holds one empty read');

  const totalMs = reads.at(-1)?.at ?? 0;
  const ending = { end: 'ended cleanly', reset: 'ended in a TCP reset', hang: 'stopped sending (cut by the idle timeout)' }[response.end];
  const description =
    options.description ??
    `${exchange.boundaries === 'recorded' ? 'Recorded' : 'Imported'} ${provider.displayName} exchange (${meaning.exercises}): HTTP ${response.status}, ${plural(reads.length, exchange.boundaries === 'recorded' ? 'read' : 'event')}${
      exchange.boundaries === 'recorded' ? ` over ${totalMs} ms` : ''
    }, ${ending}. Review expect, then set reviewed: true.`;

  const chunkReads = reads.length > 0 ? reads : [{ bytes: Buffer.alloc(0), at: 0 }];
  const base64 = new Set<number>();
  chunkReads.forEach((r, i) => {
    if (!Buffer.from(r.bytes.toString('utf8'), 'utf8').equals(r.bytes)) base64.add(i);
  });
  const cassetteOf = () => ({
    provider: provider.name,
    description,
    source: { kind: 'recorded', format: `streamproof ${TOOL_VERSION}: ${exchange.origin}`, boundaries: exchange.boundaries },
    request: facts.request,
    upstreamRequest: facts.upstreamRequest,
    response: {
      status: response.status,
      headers,
      chunks: chunkReads.map((r, i) =>
        base64.has(i) ? { at: r.at, base64: r.bytes.toString('base64') } : { at: r.at, text: r.bytes.toString('utf8') },
      ),
      ...(response.end !== 'end' ? { end: response.end } : {}),
    },
    expect: meaning.expect,
  });

  // The text must load back to the same bytes; a read YAML cannot carry as text goes as base64.
  let cassette = cassetteOf();
  let text = render(cassette, notes);
  for (let attempt = 0; attempt < 2; attempt++) {
    const mismatched = reloadMismatches(text, chunkReads);
    if (mismatched.length === 0) break;
    for (const i of mismatched) base64.add(i);
    cassette = cassetteOf();
    text = render(cassette, notes);
  }
  const mismatched = reloadMismatches(text, chunkReads);
  if (mismatched.length > 0) throw new Error(`streamproof record: reads ${mismatched.join(', ')} do not survive YAML (a bug)`);

  const hit = findSecretInCassette(cassette, text, secrets);
  if (hit) {
    return {
      ok: false,
      problem: `${hit.field} still holds the value of the ${hit.origin}; add a --redact pattern for it (nothing was written)`,
      secrets,
    };
  }
  return { ok: true, text, exercises: meaning.exercises, notes, expect: meaning.expect, secrets };
}

function render(cassette: unknown, notes: readonly string[]): string {
  const header = [
    '# Recorded by streamproof: every chunk is one read, byte for byte. `expect` was decoded from the stream',
    '# by the provider decoder: check it, then set reviewed: true.',
    ...notes.map((n) => `# note: ${n.replace(/[\r\n]+/g, ' ')}`),
  ].join('\n');
  return `${header}\n${stringify(cassette, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

/** Indexes of chunks whose bytes differ after the text is loaded back through the cassette schema. */
function reloadMismatches(text: string, reads: readonly Read[]): number[] {
  const loaded = parseYamlText('<recording>', text, cassetteSchema).value;
  const out: number[] = [];
  reads.forEach((r, i) => {
    const c = loaded.response.chunks[i];
    const bytes = c?.base64 !== undefined ? Buffer.from(c.base64, 'base64') : Buffer.from(c?.text ?? '', 'utf8');
    if (!bytes.equals(r.bytes) || c?.at !== r.at) out.push(i);
  });
  if (loaded.response.chunks.length !== reads.length) out.push(reads.length);
  return out;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
