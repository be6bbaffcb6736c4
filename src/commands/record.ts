// `streamproof record`: a recording proxy on 127.0.0.1 in front of a real upstream (or between a
// gateway and its provider); one cassette per exchange under <out>/<provider>/.
import type { CliIo } from './io.ts';
import { parseFlags } from './args.ts';
import { recordingSession } from './recording-session.ts';
import { UsageError } from '../base/errors.ts';
import { parseDuration } from '../base/duration.ts';
import { getProvider, providerNames } from '../providers/index.ts';
import { authenticate } from '../providers/bedrock/auth.ts';
import {
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CONCURRENT,
  DEFAULT_MAX_EXCHANGE_BYTES,
  DEFAULT_MAX_EXCHANGE_MS,
  startRecorder,
} from '../record/proxy.ts';
import { parseByteSize } from '../record/sizes.ts';

export const USAGE = `usage: streamproof record --upstream URL --provider NAME --out DIR [--listen PORT]
                          [--name NAME] [--force] [--redact REGEX]… [--description TEXT]
                          [--count N] [--duration D] [--idle-timeout D] [--max-exchange-time D]
                          [--max-bytes SIZE] [--max-concurrent N] [--aws-resign]

  Point a client (or a gateway's provider base URL) at the printed http://127.0.0.1:PORT: each
  request goes to --upstream unchanged (except Host, and Accept-Encoding: identity), the answer
  streams back read by read, and each exchange becomes <out>/<provider>/<name>.yaml with
  reviewed: false.

  --upstream URL         the provider base URL (https://api.openai.com, …; a path prefix is kept)
  --provider NAME        the dialect: ${providerNames().join(', ')}
  --out DIR              the fixtures root: cassettes go to DIR/<provider>/
  --listen PORT          port on 127.0.0.1 (default: any free port)
  --name NAME            cassette name (default: what the exchange exercises: text, tool-calls, error-429, …)
  --force                overwrite existing files (default: a derived name takes a free -2, -3 suffix)
  --redact REGEX         also redact what this matches in bodies and chunks (repeatable)
  --description TEXT     the cassettes' description (default: a summary of the exchange)
  --count N              stop after N POST exchanges (default 1000); other requests are proxied, not recorded
  --duration D           stop after D (default 1h); Ctrl-C stops at any time
  --idle-timeout D       cut a response that sends nothing for D and record it as a hang (default 60s)
  --max-exchange-time D  cut an exchange that takes longer than D, as a hang (default 10m)
  --max-bytes SIZE       most bytes one exchange may hold, request and response (default 32MiB)
  --max-concurrent N     exchanges at once; more are answered 503 (default ${DEFAULT_MAX_CONCURRENT})
  --aws-resign           re-sign SigV4 requests for the upstream host with AWS_ACCESS_KEY_ID,
                         AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) from the environment`;

export async function run(args: string[], io: CliIo, stop?: Promise<unknown>): Promise<number> {
  const { values } = parseFlags(args, {
    upstream: { type: 'string' },
    provider: { type: 'string' },
    out: { type: 'string' },
    listen: { type: 'string', default: '0' },
    name: { type: 'string' },
    force: { type: 'boolean', default: false },
    redact: { type: 'string', multiple: true, default: [] },
    description: { type: 'string' },
    count: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '1h' },
    'idle-timeout': { type: 'string', default: `${DEFAULT_IDLE_TIMEOUT_MS}ms` },
    'max-exchange-time': { type: 'string', default: `${DEFAULT_MAX_EXCHANGE_MS}ms` },
    'max-bytes': { type: 'string', default: String(DEFAULT_MAX_EXCHANGE_BYTES) },
    'max-concurrent': { type: 'string', default: String(DEFAULT_MAX_CONCURRENT) },
    'aws-resign': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (!values.upstream) throw new UsageError('--upstream is required');
  if (!values.provider) throw new UsageError('--provider is required');
  if (!values.out) throw new UsageError('--out is required');
  const provider = getProvider(values.provider);
  if (!provider) throw new UsageError(`--provider ${JSON.stringify(values.provider)} is not one of ${providerNames().join(', ')}`);
  let upstream: URL;
  try {
    upstream = new URL(values.upstream);
  } catch {
    throw new UsageError(`--upstream must be an http(s) URL, got ${JSON.stringify(values.upstream)}`);
  }
  if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:')
    throw new UsageError(`--upstream must be http(s), got ${upstream.protocol}`);
  if (upstream.username || upstream.password || upstream.search)
    throw new UsageError('--upstream must not carry credentials or a query (clients send those; they are redacted from cassettes)');
  const port = integer('--listen', values.listen, 0, 65535);
  const count = integer('--count', values.count, 1, 1_000_000);
  const maxConcurrent = integer('--max-concurrent', values['max-concurrent'], 1, 1024);
  const duration = duration_('--duration', values.duration);
  const idleTimeoutMs = duration_('--idle-timeout', values['idle-timeout']);
  const maxExchangeMs = duration_('--max-exchange-time', values['max-exchange-time']);
  const maxExchangeBytes = parseByteSize('--max-bytes', values['max-bytes']);
  const resign = values['aws-resign'] ? awsCredentials(process.env) : null;

  const session = recordingSession(values.out, values, io);
  session.checkTarget(provider);
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  let seen = 0;
  const recorder = await startRecorder({
    upstream,
    port,
    maxExchangeBytes,
    maxConcurrent,
    idleTimeoutMs,
    maxExchangeMs,
    ...(resign ? { prepare: resign } : {}),
    async onExchange(exchange) {
      try {
        await session.add(exchange, provider);
      } finally {
        if (++seen >= count) done();
      }
    },
    onSkipped(what, why, outcome) {
      session.skipped(what, why, outcome);
      if (outcome !== 'passed' && ++seen >= count) done();
    },
  });
  io.stdout(
    `recording ${provider.displayName} from ${upstream.origin}${upstream.pathname.replace(/\/$/, '')} on ${recorder.url} into ${values.out}/${provider.name}/\n` +
      `  stops after ${count} exchange(s), ${values.duration} or Ctrl-C\n`,
  );
  const timer = setTimeout(done, duration);
  const signals = stop ? null : signalStop();
  try {
    await Promise.race([finished, stop ?? signals!.stopped]);
  } finally {
    clearTimeout(timer);
    signals?.dispose();
    await recorder.close();
  }
  io.stdout(`${session.written.length} cassette(s) written${session.failures ? `, ${session.failures} exchange(s) not written` : ''}\n`);
  return session.failures > 0 ? 1 : 0;
}

function integer(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return n;
}

function duration_(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === null || ms <= 0) throw new UsageError(`${flag} must be a duration like 500ms, 30s, 10m or 1h, got ${JSON.stringify(text)}`);
  return ms;
}

/** SigV4 re-signing for the upstream host, with credentials from the environment (never logged). */
function awsCredentials(env: NodeJS.ProcessEnv) {
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  if (!accessKeyId || !secretAccessKey)
    throw new UsageError('--aws-resign needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment');
  const sessionToken = env['AWS_SESSION_TOKEN'];
  return async (request: { url: URL; headers: Record<string, string>; body: Buffer }): Promise<Record<string, string>> => {
    const { headers } = request;
    if (!/^AWS4-HMAC-SHA256 /.test(headers['authorization'] ?? '')) return headers;
    const scopeRegion = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(headers['authorization'] ?? '')?.[1];
    const region = env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? scopeRegion;
    const unsigned: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (!/^(authorization|x-amz-date|x-amz-security-token|x-amz-content-sha256|amz-sdk-.*|user-agent|x-amz-user-agent)$/.test(name))
        unsigned[name] = value;
    }
    const options: Record<string, string> = { accessKeyId, secretAccessKey };
    if (sessionToken) options['sessionToken'] = sessionToken;
    if (region) options['region'] = region;
    return authenticate(
      { baseUrl: request.url.origin, headers: {}, options },
      `${request.url.pathname}${request.url.search}`,
      unsigned,
      request.body.toString('utf8'),
    );
  };
}

/** Ctrl-C or SIGTERM; the listeners go away with the recording. */
function signalStop(): { stopped: Promise<void>; dispose(): void } {
  let resolve!: () => void;
  const stopped = new Promise<void>((r) => (resolve = r));
  const on = () => resolve();
  process.once('SIGINT', on);
  process.once('SIGTERM', on);
  return {
    stopped,
    dispose() {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}
