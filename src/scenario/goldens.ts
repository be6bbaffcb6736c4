// `--update-goldens`: a golden is a reviewed statement of what a correct gateway sends, so a case's
// output becomes its golden only when the checks that judge that output on their own (status,
// meaning, terminal) held. Every golden written or refused is said, with why.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { CheckResult } from '../checks/result.ts';

export function updateGolden(path: string, bytes: Buffer, gates: readonly CheckResult[], log: (line: string) => void): CheckResult {
  const shown = relative(process.cwd(), path);
  const failed = gates.filter((c) => !c.ok);
  if (failed.length > 0) {
    const why = failed.map((c) => `${c.name}: ${c.message ?? 'failed'}`).join('; ');
    log(`golden refused: ${shown} (${why})`);
    return { name: 'golden', ok: false, message: `golden not written, the case's own checks failed: ${why}` };
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  log(`golden written: ${shown}`);
  return { name: 'golden', ok: true, message: `golden written: ${shown}` };
}
