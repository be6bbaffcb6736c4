// The flags \`record\` and \`import\` share (--out, --name, --force, --redact, --description) as the
// one session that names, redacts, scans and writes their cassettes.
import { compileRedactPatterns } from '../record/redact.ts';
import { RecordingSession } from '../record/session.ts';
import { checkName } from '../record/store.ts';
import type { CliIo } from './io.ts';

export interface RecordingFlags {
  name?: string | undefined;
  force: boolean;
  redact: string[];
  description?: string | undefined;
}

/** `out`: the --out directory, already checked by the command. */
export function recordingSession(out: string, values: RecordingFlags, io: CliIo): RecordingSession {
  const name = values.name !== undefined ? checkName(values.name) : undefined;
  return new RecordingSession({
    out,
    ...(name !== undefined ? { name } : {}),
    force: values.force,
    redact: compileRedactPatterns(values.redact),
    env: process.env,
    ...(values.description !== undefined ? { description: values.description } : {}),
    log: (line) => io.stdout(`${line}\n`),
    warn: (line) => io.stderr(`${line}\n`),
  });
}
