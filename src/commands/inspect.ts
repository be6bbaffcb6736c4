// `streamproof inspect [--format sse|eventstream] [FILE|-]`: parse a raw captured stream and print,
// one JSON object per line, what a conforming client would see: every event an EventSource would
// dispatch, and every valid `retry:` field, in stream order; or, for AWS event streams, every
// decoded frame (inspect-eventstream.ts).
//
// The input is read chunk by chunk and fed to the parser as it arrives, so a large capture is
// never held in memory whole and output starts before the input ends.

import { open } from 'node:fs/promises';
import type { CliIo } from './io.ts';
import { createSseParser, SseEventTooLargeError, SseLineTooLongError } from '../sse/parser.ts';
import { EventStreamFramingError } from '../eventstream/frame-reader.ts';
import { createEventStreamInspector } from './inspect-eventstream.ts';
import { parseFlags } from './args.ts';
import { InputError, UsageError } from '../base/errors.ts';

export const USAGE = `usage: streamproof inspect [FILE|-] [--format sse|eventstream]

  FILE         a raw captured stream; - or nothing reads stdin
  --format F   how FILE is framed: sse (text/event-stream, the default) or
               eventstream (AWS application/vnd.amazon.eventstream, binary)

sse: prints one JSON line per event an EventSource would dispatch,
{"event": type or null, "data": ..., "id": last event ID or null},
and {"retry": ms} for each valid retry field, in stream order.
eventstream: prints one JSON line per frame, {"headers": {...}, "payload": ...}
(payload parsed as JSON where it is JSON), plus "decoded" (the base64 inner
event) for Bedrock InvokeModel chunk frames. A corrupt frame is exit 2.`;

const FORMATS = ['sse', 'eventstream'] as const;
type Format = (typeof FORMATS)[number];

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    format: { type: 'string', default: 'sse' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (!isFormat(values.format)) {
    throw new UsageError(`unsupported --format ${JSON.stringify(values.format)} (supported: ${FORMATS.join(', ')})`);
  }
  if (positionals.length > 1) throw new UsageError(`expected at most one FILE, got ${positionals.length}`);
  const file = positionals[0] === undefined || positionals[0] === '-' ? null : positionals[0];
  return inspect(file, io, values.format);
}

/** Bytes in, JSON lines out (through `emit`); throws on input the format cannot read. */
interface Inspector {
  feed(chunk: Uint8Array): void;
  end(): void;
}

function sseInspector(emit: (line: string) => void): Inspector {
  return createSseParser({
    onEvent: (e) => emit(JSON.stringify({ event: e.type, data: e.data, id: e.id })),
    onRetry: (ms) => emit(JSON.stringify({ retry: ms })),
  });
}

async function inspect(file: string | null, io: CliIo, format: Format): Promise<number> {
  const source = file ?? 'stdin';
  let lines: string[] = [];
  let emitted = 0;
  let head: Buffer | null = null; // the first bytes, to say what an input with no events looks like
  const emit = (line: string): void => {
    emitted++;
    lines.push(line);
  };
  const inspector = format === 'eventstream' ? createEventStreamInspector(emit) : sseInspector(emit);
  // Everything one read produced is written at once, before the next read.
  const flush = (): void => {
    if (lines.length === 0) return;
    io.stdout(`${lines.join('\n')}\n`);
    lines = [];
  };

  let input: AsyncIterable<unknown>;
  let close = async (): Promise<void> => {};
  if (file === null) {
    input = io.stdin;
  } else {
    try {
      const handle = await open(file, 'r');
      input = handle.createReadStream();
      close = () => handle.close().catch(() => {});
    } catch (err) {
      throw new InputError(file, null, `cannot read it: ${reason(err)}`);
    }
  }

  try {
    for await (const chunk of input) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Uint8Array);
      head ??= Buffer.from(bytes.subarray(0, 512));
      inspector.feed(bytes);
      flush();
    }
    inspector.end();
    flush();
  } catch (err) {
    flush(); // what was dispatched before the failure is still real output
    if (err instanceof SseLineTooLongError || err instanceof SseEventTooLargeError || err instanceof EventStreamFramingError) {
      throw new InputError(source, null, err.message);
    }
    throw new InputError(source, null, `cannot read it: ${reason(err)}`);
  } finally {
    await close();
  }
  const unlike = emitted === 0 && head !== null && format === 'sse' ? notSse(head) : null;
  if (unlike) throw new InputError(source, null, `no SSE events: ${unlike}`);
  return 0;
}

/** Why input that gave no SSE events is probably not an SSE stream at all (null: it may be one). */
function notSse(head: Buffer): string | null {
  // AWS event-stream: a 4-byte total length, a 4-byte headers length, then a prelude CRC.
  if (head.length >= 12 && head.readUInt32BE(0) >= 16 && head.readUInt32BE(4) < head.readUInt32BE(0) && head.includes(0)) {
    return 'the input is binary and looks like AWS event-stream framing (Bedrock): use --format eventstream';
  }
  const text = head.toString('utf8');
  if (/^(provider|request|response|upstreamRequest|source):/m.test(text)) {
    return 'this looks like a cassette YAML; inspect reads raw stream bytes (serve a cassette with streamproof replay)';
  }
  if (head.includes(0)) return 'the input is binary';
  return null;
}

function isFormat(s: string): s is Format {
  return (FORMATS as readonly string[]).includes(s);
}

/** "ENOENT: no such file or directory, open 'x'" -> "ENOENT: no such file or directory". */
function reason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const sys = err as NodeJS.ErrnoException;
  if (sys.syscall !== undefined && sys.path !== undefined) {
    const suffix = `, ${sys.syscall} '${sys.path}'`;
    if (err.message.endsWith(suffix)) return err.message.slice(0, -suffix.length);
  }
  return err.message;
}
