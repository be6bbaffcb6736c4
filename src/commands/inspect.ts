// `streamproof inspect [--format sse] [FILE|-]`: parse a raw captured stream and print, one JSON
// object per line, what a conforming client would see: every event an EventSource would
// dispatch, and every valid `retry:` field, in stream order.
//
// The input is read chunk by chunk and fed to the parser as it arrives, so a large capture is
// never held in memory whole and output starts before the input ends.

import { open } from 'node:fs/promises';
import { createSseParser, SseLineTooLongError } from '../sse/parser.ts';

export interface InspectIo {
  stdin: NodeJS.ReadableStream;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const USAGE = 'usage: streamproof inspect [--format sse] [FILE|-]';
const FORMATS = ['sse'] as const;
type Format = (typeof FORMATS)[number];

interface Options {
  format: Format;
  /** null means stdin. */
  file: string | null;
}

export async function runInspect(args: string[], io: InspectIo): Promise<number> {
  const parsed = parseArgs(args);
  if (parsed === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (typeof parsed === 'string') {
    io.stderr(`streamproof inspect: ${parsed}\n${USAGE}\n`);
    return 2;
  }

  const source = parsed.file ?? 'stdin';
  let lines: string[] = [];
  const parser = createSseParser({
    onEvent: (e) => lines.push(JSON.stringify({ event: e.type, data: e.data, id: e.id })),
    onRetry: (ms) => lines.push(JSON.stringify({ retry: ms })),
  });
  // Everything one read produced is written at once, before the next read.
  const flush = (): void => {
    if (lines.length === 0) return;
    io.stdout(`${lines.join('\n')}\n`);
    lines = [];
  };

  let input: AsyncIterable<unknown>;
  let close = async (): Promise<void> => {};
  if (parsed.file === null) {
    input = io.stdin;
  } else {
    try {
      const handle = await open(parsed.file, 'r');
      input = handle.createReadStream();
      close = () => handle.close().catch(() => {});
    } catch (err) {
      io.stderr(`streamproof inspect: cannot read ${parsed.file}: ${reason(err)}\n`);
      return 2;
    }
  }

  try {
    for await (const chunk of input) {
      parser.feed(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Uint8Array));
      flush();
    }
    parser.end();
  } catch (err) {
    flush(); // what was dispatched before the failure is still real output
    if (err instanceof SseLineTooLongError) {
      io.stderr(`streamproof inspect: ${source}: ${err.message}\n`);
      return 1;
    }
    io.stderr(`streamproof inspect: cannot read ${source}: ${reason(err)}\n`);
    return 2;
  } finally {
    await close();
  }
  return 0;
}

function parseArgs(args: string[]): Options | 'help' | string {
  let format: string = 'sse';
  let file: string | null = null;
  let sawFile = false;
  let onlyPositional = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!onlyPositional && arg === '--') {
      onlyPositional = true;
    } else if (!onlyPositional && (arg === '-h' || arg === '--help')) {
      return 'help';
    } else if (!onlyPositional && arg === '--format') {
      const value = args[++i];
      if (value === undefined) return '--format needs a value';
      format = value;
    } else if (!onlyPositional && arg.startsWith('--format=')) {
      format = arg.slice('--format='.length);
    } else if (!onlyPositional && arg.startsWith('-') && arg !== '-') {
      return `unknown option ${arg}`;
    } else {
      if (sawFile) return `unexpected argument ${arg} (only one FILE may be given)`;
      sawFile = true;
      file = arg === '-' && !onlyPositional ? null : arg;
    }
  }
  if (!isFormat(format)) return `unsupported --format ${JSON.stringify(format)} (supported: ${FORMATS.join(', ')})`;
  return { format, file };
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
