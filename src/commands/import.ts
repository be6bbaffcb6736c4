// `streamproof import har|raw|chunks FILE`: cassettes from captures people already have, through
// the same redaction, secret scan and schema check as `streamproof record`.
import type { CliIo } from './io.ts';
import { parseFlags } from './args.ts';
import { recordingSession } from './recording-session.ts';
import { InputError, UsageError } from '../base/errors.ts';
import { getProvider, providerNames } from '../providers/index.ts';
import type { ProviderDescriptor } from '../providers/types.ts';
import { importHar } from '../record/import-har.ts';
import { importChunks, importRaw, readCaptureRequest, readFileBounded } from '../record/import-capture.ts';
import type { RecordingSession } from '../record/session.ts';

export const USAGE = `usage: streamproof import har FILE --out DIR [--provider NAME] [--entry N]…
       streamproof import raw FILE --provider NAME --out DIR [--request FILE] [--path PATH] [--status N] [--content-type TYPE]
       streamproof import chunks FILE --provider NAME --out DIR [--request FILE] [--path PATH] [--no-terminator]
  and for each: [--name NAME] [--force] [--redact REGEX]… [--description TEXT]

  har      a HAR file: every POST with a JSON body to a provider URL (or to --provider) becomes a
           cassette; HAR keeps whole bodies, so they are cut into one chunk per event
           (source.boundaries: inferred)
  raw      a raw response body: a \`curl -N\` dump (with or without -i's head), or any SSE or
           event-stream capture; cut into one chunk per event
  chunks   JSON lines of parsed chunk objects (or "[DONE]"), encoded in the provider's framing
           (SSE as the dialect writes it, event-stream frames for Bedrock); [DONE] is appended for
           OpenAI-shaped providers unless --no-terminator

  --out DIR          the fixtures root: cassettes go to DIR/<provider>/
  --provider NAME    the dialect: ${providerNames().join(', ')}
  --entry N          import only HAR entry N (log.entries[N]; repeatable)
  --request FILE     the request sent upstream: its JSON body, or {method, path, query, headers, body}
                     (default: FILE.request.json or FILE.request.yaml beside the capture)
  --path PATH        the upstream path (default: the request file's, or the provider's usual one)
  --status N         the response status of a capture without an HTTP head (default 200)
  --content-type T   the response content type of a capture without one (default: the provider's)
  --name NAME        cassette name (default: what the exchange exercises)
  --force            overwrite existing files
  --redact REGEX     also redact what this matches in bodies and chunks (repeatable)
  --description TEXT the cassettes' description`;

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    out: { type: 'string' },
    provider: { type: 'string' },
    entry: { type: 'string', multiple: true, default: [] },
    request: { type: 'string' },
    path: { type: 'string' },
    status: { type: 'string' },
    'content-type': { type: 'string' },
    'no-terminator': { type: 'boolean', default: false },
    name: { type: 'string' },
    force: { type: 'boolean', default: false },
    redact: { type: 'string', multiple: true, default: [] },
    description: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const [kind, file, ...extra] = positionals;
  if (kind !== 'har' && kind !== 'raw' && kind !== 'chunks')
    throw new UsageError(`say what to import: har, raw or chunks${kind ? ` (not ${JSON.stringify(kind)})` : ''}`);
  if (file === undefined) throw new UsageError(`name the ${kind} file to import`);
  if (extra.length > 0) throw new UsageError(`one file at a time (also got ${extra.join(' ')})`);
  if (!values.out) throw new UsageError('--out is required');
  let provider: ProviderDescriptor | undefined;
  if (values.provider !== undefined) {
    provider = getProvider(values.provider);
    if (!provider) throw new UsageError(`--provider ${JSON.stringify(values.provider)} is not one of ${providerNames().join(', ')}`);
  }
  if (kind !== 'har' && !provider) throw new UsageError(`import ${kind} needs --provider`);
  if (kind === 'har' && (values.request || values.path || values.status || values['content-type'] || values['no-terminator']))
    throw new UsageError(
      '--request, --path, --status, --content-type and --no-terminator are for raw and chunks imports (a HAR entry has its own)',
    );
  if (kind !== 'har' && values.entry.length > 0) throw new UsageError('--entry is for HAR imports');
  if (kind !== 'raw' && (values.status || values['content-type'])) throw new UsageError('--status and --content-type are for raw imports');
  if (kind !== 'chunks' && values['no-terminator']) throw new UsageError('--no-terminator is for chunks imports');
  const entries = values.entry.map((e) => {
    const n = Number(e);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--entry must be an entry index (0, 1, …), got ${JSON.stringify(e)}`);
    return n;
  });
  let status: number | undefined;
  if (values.status !== undefined) {
    status = Number(values.status);
    if (!Number.isInteger(status) || status < 100 || status > 599)
      throw new UsageError(`--status must be an HTTP status, got ${JSON.stringify(values.status)}`);
  }

  const session = recordingSession(values.out, values, io);

  // Everything is read and checked before anything is written.
  const items: { exchange: Parameters<RecordingSession['add']>[0]; provider: ProviderDescriptor }[] = [];
  if (kind === 'har') {
    const text = readFileBounded(file).toString('utf8');
    const har = importHar(file, text, { ...(provider ? { provider } : {}), ...(entries.length ? { entries } : {}) });
    for (const line of har.skipped) io.stderr(`skipped ${line}\n`);
    if (har.imported.length === 0)
      throw new InputError(
        file,
        null,
        'no entry to import: no POST with a JSON body to a recognised provider URL (see --provider and --entry)',
      );
    items.push(...har.imported);
  } else {
    const p = provider!;
    const request = readCaptureRequest(file, p, values.request, values.path);
    const bytes = readFileBounded(file);
    const options = {
      provider: p,
      request,
      ...(status !== undefined ? { status } : {}),
      ...(values['content-type'] ? { contentType: values['content-type'] } : {}),
    };
    items.push({
      provider: p,
      exchange:
        kind === 'raw'
          ? importRaw(file, bytes, options)
          : importChunks(file, bytes.toString('utf8'), { ...options, terminate: !values['no-terminator'] }),
    });
  }
  for (const item of items) session.checkTarget(item.provider);
  for (const item of items) await session.add(item.exchange, item.provider);
  io.stdout(`${session.written.length} cassette(s) written${session.failures ? `, ${session.failures} not written` : ''}\n`);
  return session.failures > 0 ? 1 : 0;
}
