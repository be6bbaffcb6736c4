// A fault in streamproof itself (anything thrown that is not bad input) exits 3 with one line and
// no stack trace, unless --debug; bad input stays exit 2 with its own message.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/base/errors.ts';
import { main, reportError } from '../../src/cli.ts';

describe('internal errors', () => {
  it('a plain Error is exit 3 and one line naming --debug', () => {
    const r = reportError(new Error('cannot read properties of undefined\n    (reading "x")'), 'run', { debug: false });
    expect(r).toEqual({
      code: 3,
      text: 'streamproof: internal error: cannot read properties of undefined (reading "x") (run with --debug for the stack)\n',
    });
  });

  it('with --debug, the stack', () => {
    const r = reportError(new TypeError('boom'), 'run', { debug: true });
    expect(r.code).toBe(3);
    expect(r.text).toMatch(/^streamproof: internal error: TypeError: boom\n\s+at /);
  });

  it('a thrown non-Error value is still one line', () => {
    expect(reportError('weird', 'run', { debug: false }).text).toBe(
      'streamproof: internal error: weird (run with --debug for the stack)\n',
    );
  });

  it('bad input keeps exit 2 and its message', () => {
    const r = reportError(new InputError('s.yaml', 3, 'modes[1]: bad'), 'run', { debug: false });
    expect(r).toEqual({ code: 2, text: 'streamproof run: s.yaml:3: modes[1]: bad\n' });
  });

  // A real path through main: the output it writes to fails (a closed pipe), which is no fault of
  // the user's input.
  async function withBrokenStdout(args: string[]) {
    let stderr = '';
    const code = await main(args, {
      stdin: Readable.from([]),
      stdout: () => {
        throw new Error('write EPIPE');
      },
      stderr: (t) => void (stderr += t),
    });
    return { code, stderr };
  }

  it('through main: a command whose output fails exits 3 with one line', async () => {
    const r = await withBrokenStdout(['suites']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('streamproof: internal error: write EPIPE (run with --debug for the stack)\n');
  });

  it('through main: --debug (anywhere on the line) shows the stack and is not passed to the command', async () => {
    const r = await withBrokenStdout(['suites', '--debug']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^streamproof: internal error: Error: write EPIPE\n\s+at /);
  });
});
