// One case's failure is that case's: an exception inside it (a parser limit, a protocol surprise,
// a bug) becomes a failed case with the message, and the run goes on. Bad input is not a case
// failure: it stops the run (exit 2) as everywhere else.
import { StreamproofError } from '../base/errors.ts';
import type { CaseResult } from '../checks/result.ts';

export async function guardCase(name: string, file: string | undefined, run: () => Promise<CaseResult>): Promise<CaseResult> {
  const started = performance.now();
  try {
    return await run();
  } catch (err) {
    if (err instanceof StreamproofError) throw err;
    const e = err as Error;
    return {
      name,
      ...(file !== undefined ? { file } : {}),
      status: 'fail',
      durationMs: performance.now() - started,
      checks: [
        {
          name: 'harness',
          ok: false,
          message: `the case stopped on an error: ${e?.message ?? String(err)}`,
          ...(e?.stack ? { detail: e.stack } : {}),
        },
      ],
    };
  }
}
