// `streamproof import har`: exchanges from a HAR file (browser devtools, mitmproxy, Charles, …).
// A HAR entry keeps each response body whole, so its reads are lost: the body is cut into one
// chunk per event and the cassette says so (source.boundaries: inferred, every time 0). Entries
// are POSTs with a JSON body whose URL names a provider (or --provider); the rest are listed as
// skipped. A file that is not a HAR, or an entry missing what HAR requires, is bad input naming
// the line.
import { z } from 'zod';
import { InputError } from '../base/errors.ts';
import { formatPath } from '../base/yaml-input.ts';
import { getProvider } from '../providers/index.ts';
import type { ProviderDescriptor } from '../providers/types.ts';
import type { RecordedExchange } from './cassette.ts';
import { cutPerEvent, FramingProblem, framingOf } from './framing.ts';
import { parseJsonLocated } from './json-locate.ts';

const header = z.object({ name: z.string(), value: z.string() }).loose();

const entrySchema = z
  .object({
    request: z
      .object({
        method: z.string(),
        url: z.string(),
        headers: z.array(header),
        postData: z.object({ mimeType: z.string().optional(), text: z.string().optional() }).loose().optional(),
      })
      .loose(),
    response: z
      .object({
        status: z.number().int(),
        headers: z.array(header),
        content: z
          .object({
            mimeType: z.string().optional(),
            text: z.string().optional(),
            encoding: z.string().optional(),
            size: z.number().optional(),
          })
          .loose(),
      })
      .loose(),
  })
  .loose();

const harSchema = z.object({ log: z.object({ entries: z.array(z.unknown()) }).loose() }).loose();

export interface ImportedExchange {
  exchange: RecordedExchange;
  provider: ProviderDescriptor;
  /** `entry 3 (POST https://…/v1/messages)` */
  label: string;
}

export interface HarImport {
  imported: ImportedExchange[];
  skipped: string[];
}

export function importHar(file: string, text: string, options: { provider?: ProviderDescriptor; entries?: readonly number[] }): HarImport {
  const located = parseJsonLocated(file, text);
  const top = harSchema.safeParse(located.value);
  if (!top.success) throw issueError(file, located.lineOf, [], top.error.issues[0]!, 'not a HAR file');
  const entries = top.data.log.entries;
  for (const i of options.entries ?? []) {
    if (i < 0 || i >= entries.length)
      throw new InputError(file, located.lineOf(['log', 'entries']), `--entry ${i}: the file has entries 0 to ${entries.length - 1}`);
  }
  const imported: ImportedExchange[] = [];
  const skipped: string[] = [];
  entries.forEach((raw, i) => {
    const at = ['log', 'entries', i];
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) throw issueError(file, located.lineOf, at, parsed.error.issues[0]!, 'not a HAR entry');
    if (options.entries && !options.entries.includes(i)) return;
    const { request, response } = parsed.data;
    const label = `entry ${i} (${request.method} ${request.url.replace(/\?.*$/, '')})`;
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      throw new InputError(file, located.lineOf([...at, 'request']), `log.entries[${i}].request.url is not a URL`);
    }
    const bodyText = request.postData?.text;
    if (request.method !== 'POST' || bodyText === undefined || !/^\s*\{/.test(bodyText)) {
      if (options.entries) throw new InputError(file, located.lineOf([...at, 'request']), `${label} is not a POST with a JSON body`);
      return;
    }
    const detected = providerOfUrl(url);
    if (options.provider && detected && detected !== options.provider.name) {
      skipped.push(`${label}: looks like ${detected}, not ${options.provider.name}`);
      return;
    }
    const provider = options.provider ?? (detected ? getProvider(detected) : undefined);
    if (!provider) {
      skipped.push(`${label}: no provider recognised from the URL (pass --provider)`);
      return;
    }
    const content = response.content;
    if (content.text === undefined && (content.size ?? 0) > 0)
      throw new InputError(
        file,
        located.lineOf([...at, 'response', 'content']),
        `log.entries[${i}].response.content has no text: the capture did not keep this body`,
      );
    const body = Buffer.from(content.text ?? '', content.encoding === 'base64' ? 'base64' : 'utf8');
    const headers = response.headers.filter((h) => !h.name.startsWith(':')).map((h) => [h.name.toLowerCase(), h.value] as [string, string]);
    const contentType = content.mimeType ?? headers.find(([n]) => n === 'content-type')?.[1];
    let pieces: Buffer[];
    try {
      pieces = cutPerEvent(body, framingOf(provider, contentType, response.status));
    } catch (err) {
      if (!(err instanceof FramingProblem)) throw err;
      throw new InputError(file, located.lineOf([...at, 'response', 'content']), `log.entries[${i}].response.content.text: ${err.message}`);
    }
    if (!headers.some(([n]) => n === 'content-type') && contentType) headers.push(['content-type', contentType]);
    imported.push({
      provider,
      label,
      exchange: {
        request: {
          method: request.method,
          path: url.pathname,
          query: [...url.searchParams],
          headers: request.headers.filter((h) => !h.name.startsWith(':')).map((h) => [h.name.toLowerCase(), h.value]),
          body: Buffer.from(bodyText, 'utf8'),
        },
        response: { status: response.status, headers, reads: pieces.map((bytes) => ({ bytes, at: 0 })), end: 'end' },
        origin: `streamproof import har, ${file} ${label}`,
        boundaries: 'inferred',
      },
    });
  });
  return { imported, skipped };
}

function issueError(
  file: string,
  lineOf: (path: readonly (string | number)[]) => number | null,
  base: readonly (string | number)[],
  issue: z.core.$ZodIssue,
  what: string,
): InputError {
  const path = [...base, ...issue.path.filter((p): p is string | number => typeof p !== 'symbol')];
  return new InputError(file, lineOf(path) ?? 1, `${what}: ${path.length ? `${formatPath(path)}: ` : ''}${issue.message}`);
}

/** The provider a request URL names, by host and path (null when none does). */
export function providerOfUrl(url: URL): string | null {
  const host = url.hostname;
  const path = url.pathname;
  if (host.endsWith('.openai.azure.com')) return 'azure';
  if (/(^|\.)helicone\.ai$/.test(host) && host.includes('together')) return 'together-helicone';
  if (/aiplatform\.googleapis\.com$/.test(host)) return path.includes('/publishers/anthropic/') ? 'vertex-anthropic' : 'vertex-gemini';
  if (host === 'generativelanguage.googleapis.com') return 'gemini';
  if (/^bedrock-runtime(-fips)?\.[a-z0-9-]+\.amazonaws\.com$/.test(host)) {
    if (path.endsWith('/converse-stream')) return 'bedrock';
    if (path.endsWith('/invoke-with-response-stream')) return 'bedrock-invoke';
    return null;
  }
  if (host === 'api.anthropic.com') return 'anthropic';
  if (host === 'api.x.ai') return 'xai';
  if (host === 'api.together.xyz' || host === 'api.together.ai') return 'together';
  if (host === 'api.straico.com') return 'straico';
  if (host === 'api.openai.com') return path.endsWith('/responses') ? 'openai-responses' : 'openai';
  return null;
}
