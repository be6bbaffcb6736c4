// Runs the CLI in-process and captures what it prints.
import { Readable } from 'node:stream';
import { main } from '../../src/cli.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], stdin: Buffer[] = []): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdin: Readable.from(stdin),
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}
